/*
 * tests/unit/test_pmem.c — the kernel's buddy page allocator
 * (kernel/mm/pmem.c, built for the host through tests/unit/kshim): every
 * page handed out once until exhaustion, blocks split and merged back to
 * the largest order, reserved ranges never handed out, a double free
 * caught, and an injected failure returning 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/pmem.c"

#include "check.h"
#include "kshim.c"

#define RAM (32UL << 20)

static bool fail_next;

bool failinject_now(enum fail_kind kind)
{
    bool f = fail_next && kind == FAIL_PAGE;
    fail_next = false;
    return f;
}

static uint8_t *owner; /* per page: 1 while allocated here */

static uint64_t take_all(unsigned order, uint64_t *n)
{
    uint64_t pa, got = 0, first = 0;
    while ((pa = pmem_alloc(order))) {
        CHECK(!(pa & ((PAGE_SIZE << order) - 1)));
        for (uint64_t i = 0; i < (1UL << order); i++) {
            CHECK(!owner[(pa >> PAGE_SHIFT) + i]);
            owner[(pa >> PAGE_SHIFT) + i] = 1;
        }
        /* Chain them through the pages themselves, to free them after. */
        *(uint64_t *)phys_to_virt(pa) = first;
        first = pa;
        got++;
    }
    *n = got;
    return first;
}

static void give_back(uint64_t first, unsigned order)
{
    while (first) {
        uint64_t next = *(uint64_t *)phys_to_virt(first);
        for (uint64_t i = 0; i < (1UL << order); i++)
            owner[(first >> PAGE_SHIFT) + i] = 0;
        pmem_free(first, order);
        first = next;
    }
}

int main(void)
{
    kshim_ram = aligned_alloc(PAGE_SIZE << PMEM_MAX_ORDER, RAM);
    owner = calloc(RAM >> PAGE_SHIFT, 1);
    struct mem_range ram[] = {{0, 640 << 10}, {1 << 20, RAM}};
    struct mem_range res[] = {{1 << 20, 3 << 20}};
    pmem_init(ram, 2, res, 1);
    /* Below 1 MiB all but page 0 is used; the metadata takes 2 pages. */
    uint64_t total = pmem_total_pages();
    CHECK_EQ(total, (RAM - (3 << 20)) / PAGE_SIZE - 2 + (640 >> 2) - 1);
    CHECK_EQ(pmem_free_pages(), total);

    uint64_t n, list = take_all(0, &n);
    CHECK_EQ(n, total);
    CHECK_EQ(pmem_free_pages(), 0);
    CHECK(!owner[0] && !owner[(2 << 20) >> PAGE_SHIFT]); /* reserved */
    CHECK(owner[1] && owner[(640 >> 2) - 1]);            /* low RAM */
    give_back(list, 0);
    CHECK_EQ(pmem_free_pages(), total);

    /* Freed single pages merge back into the largest blocks. */
    list = take_all(PMEM_MAX_ORDER, &n);
    CHECK(n >= (RAM - (4 << 20)) / (PAGE_SIZE << PMEM_MAX_ORDER));
    give_back(list, PMEM_MAX_ORDER);
    CHECK_EQ(pmem_free_pages(), total);

    /* Split one block, free the halves in either order: merged again. */
    uint64_t a = pmem_alloc(0), b = pmem_alloc(0);
    CHECK(a && b && a != b);
    pmem_free(b, 0);
    pmem_free(a, 0);
    CHECK_EQ(pmem_free_pages(), total);

    /* A double free is caught by the allocator's own assertion. */
    a = pmem_alloc(1);
    pmem_free(a, 1);
    CHECK(KSHIM_PANICS(pmem_free(a, 1)));
    CHECK_EQ(pmem_free_pages(), total);

    /* An injected failure is a plain 0, and changes nothing. */
    fail_next = true;
    CHECK_EQ(pmem_alloc(0), 0);
    CHECK_EQ(pmem_free_pages(), total);
    CHECK(pmem_alloc_zeroed(3) != 0);

    /* Reserved ranges out of order, as after GRUB's Multiboot2 load: the
     * kernel, the early page tables past the image, then the image right
     * after the kernel.  The metadata (2 pages) lands in none of them. */
    struct mem_range mixed[] = {{1 << 20, 3 << 20},
                                {5 << 20, 6 << 20},
                                {(3 << 20) + PAGE_SIZE, 5 << 20}};
    pmem_init(ram, 2, mixed, 3);
    uint64_t meta = virt_to_phys(pm.meta);
    for (int i = 0; i < 3; i++)
        CHECK(meta + 2 * PAGE_SIZE <= mixed[i].start || meta >= mixed[i].end);

    free(owner);
    free(kshim_ram);
    return check_done();
}
