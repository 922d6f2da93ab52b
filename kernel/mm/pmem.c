/*
 * mm/pmem.c — physical memory: a buddy allocator over the RAM ranges of
 * the PVH memory map.  One byte of metadata per page frame records whether
 * the frame heads a free block and of which order; free blocks are linked
 * through their own first bytes (via the direct map).
 *
 * Initialisation touches no free page at all: RAM starts as "untouched"
 * ranges, and a block is carved off them only when the free lists cannot
 * serve an allocation.  Writing one link into every 4 MiB block at boot
 * made the host back each with a 2 MiB transparent huge page: with 8 GiB
 * of guest RAM, 4 GiB resident in QEMU and 7 s of boot.
 *
 * A page fork shares between address spaces counts its holders in the
 * same byte (pmem_page_get): an allocated frame's byte is otherwise 0,
 * so sharing costs nothing until a fork and no allocation at one.
 */
#include "mm/mm.h"

#define META_FREE 0x80
#define META_REFS 0x7f /* allocated frames: holders beyond the first */

struct free_block {
    struct list link;
};

#define UNTOUCHED_MAX 32

static struct {
    uint8_t *meta; /* per frame: META_FREE | order, for free block heads */
    uint64_t nframes;
    struct list free[PMEM_MAX_ORDER + 1];
    uint64_t free_pages, total_pages; /* free_pages counts untouched RAM */
    struct mem_range untouched[UNTOUCHED_MAX]; /* page-aligned, in order */
    int nuntouched, next; /* untouched[next..] may have memory left */
    uint64_t (*reclaim)(uint64_t pages); /* frees clean cache pages */
    bool reclaiming;
    int paused; /* pmem_reclaim_pause */
} pm;

static struct free_block *block(uint64_t pa)
{
    return phys_to_virt(pa);
}

static void push(uint64_t pa, unsigned order)
{
    pm.meta[pa >> PAGE_SHIFT] = META_FREE | order;
    list_add_tail(&pm.free[order], &block(pa)->link);
}

static void pop(uint64_t pa)
{
    pm.meta[pa >> PAGE_SHIFT] = 0;
    list_del(&block(pa)->link);
}

/* The order of the largest aligned block that starts at START and ends
 * by END (page-aligned, START < END). */
static unsigned block_order(uint64_t start, uint64_t end)
{
    unsigned order = PMEM_MAX_ORDER;
    while (order > 0 && ((start & ((PAGE_SIZE << order) - 1)) ||
                         start + (PAGE_SIZE << order) > end))
        order--;
    return order;
}

/* Moves the next block of untouched RAM to the free lists; false when
 * there is none left. */
static bool carve(void)
{
    while (pm.next < pm.nuntouched &&
           pm.untouched[pm.next].start >= pm.untouched[pm.next].end)
        pm.next++;
    if (pm.next == pm.nuntouched)
        return false;
    struct mem_range *r = &pm.untouched[pm.next];
    unsigned order = block_order(r->start, r->end);
    push(r->start, order);
    r->start += PAGE_SIZE << order;
    return true;
}

/* Adds [start, end) as untouched RAM (or, past UNTOUCHED_MAX ranges, as
 * free blocks at once). */
static void add_range(uint64_t start, uint64_t end)
{
    start = ALIGN_UP(start, PAGE_SIZE);
    end = ALIGN_DOWN(end, PAGE_SIZE);
    if (start >= end)
        return;
    pm.free_pages += (end - start) >> PAGE_SHIFT;
    if (pm.nuntouched < UNTOUCHED_MAX) {
        pm.untouched[pm.nuntouched++] = (struct mem_range){start, end};
        return;
    }
    while (start < end) {
        unsigned order = block_order(start, end);
        push(start, order);
        start += PAGE_SIZE << order;
    }
}

/* Subtracts reserved ranges from [start, end) and adds what is left. */
static void add_unreserved(uint64_t start, uint64_t end,
                           const struct mem_range *res, int nres)
{
    for (int i = 0; i < nres; i++) {
        if (res[i].end <= start || res[i].start >= end)
            continue;
        if (res[i].start > start)
            add_unreserved(start, res[i].start, res + i + 1, nres - i - 1);
        start = res[i].end;
        if (start >= end)
            return;
    }
    add_range(start, end);
}

void pmem_init(const struct mem_range *ram, int nram,
               const struct mem_range *reserved, int nreserved)
{
    uint64_t top = 0;
    for (int i = 0; i < nram; i++)
        top = MAX(top, ram[i].end);
    pm.nframes = top >> PAGE_SHIFT;
    for (int i = 0; i <= PMEM_MAX_ORDER; i++)
        list_init(&pm.free[i]);

    /* The metadata goes in the first RAM range above 1 MiB, after the
     * reserved ranges, that can hold it. */
    uint64_t need = ALIGN_UP(pm.nframes, PAGE_SIZE), meta_pa = 0;
    for (int i = 0; i < nram && !meta_pa; i++) {
        uint64_t s = MAX(ram[i].start, 0x100000UL);
        /* Again until nothing moves it: the ranges come in any order (a
         * boot loader may put the image between the kernel and the early
         * page tables), and a range already passed may overlap the new s. */
        for (bool moved = true; moved;) {
            moved = false;
            for (int j = 0; j < nreserved; j++)
                if (reserved[j].start < s + need && reserved[j].end > s) {
                    s = ALIGN_UP(reserved[j].end, PAGE_SIZE);
                    moved = true;
                }
        }
        if (s + need <= ram[i].end)
            meta_pa = s;
    }
    if (!meta_pa)
        panic("pmem: no room for page metadata");
    pm.meta = phys_to_virt(meta_pa);
    memset(pm.meta, 0, pm.nframes);

    struct mem_range res[16];
    int nres = 0;
    for (int i = 0; i < nreserved && nres < 15; i++)
        res[nres++] = reserved[i];
    res[nres++] = (struct mem_range){meta_pa, meta_pa + need};
    /* Sort reserved ranges by start (few entries: insertion sort). */
    for (int i = 1; i < nres; i++)
        for (int j = i; j > 0 && res[j].start < res[j - 1].start; j--) {
            struct mem_range t = res[j];
            res[j] = res[j - 1];
            res[j - 1] = t;
        }
    /* All of it but page 0 (physical address 0 means "no page" to
     * pmem_alloc's callers): the RAM below 1 MiB too, 636 KiB of 4 MiB.
     * What the boot put there (PVH start info, memory map, command line)
     * was read and copied before (main.c); the AP trampoline's page is
     * among the reserved ranges; the firmware's tables smp_init scans
     * (EBDA, F segment) are not RAM in the memory map, and the scan only
     * trusts what passes its checksum. */
    for (int i = 0; i < nram; i++) {
        uint64_t s = MAX(ram[i].start, PAGE_SIZE);
        if (s < ram[i].end)
            add_unreserved(s, ram[i].end, res, nres);
    }
    pm.total_pages = pm.free_pages;
}

void pmem_set_reclaim(uint64_t (*fn)(uint64_t pages))
{
    pm.reclaim = fn;
}

void pmem_reclaim_pause(bool pause)
{
    pm.paused += pause ? 1 : -1;
}

bool pmem_reclaim(uint64_t pages)
{
    if (!pm.reclaim || pm.reclaiming || pm.paused)
        return false;
    pm.reclaiming = true;
    uint64_t got = pm.reclaim(pages);
    pm.reclaiming = false;
    return got > 0;
}

uint64_t pmem_alloc(unsigned order)
{
    unsigned k;
    if (failinject_now(FAIL_PAGE))
        return 0;
    for (;;) {
        k = order;
        while (k <= PMEM_MAX_ORDER && list_empty(&pm.free[k]))
            k++;
        if (k <= PMEM_MAX_ORDER)
            break;
        if (!carve() && !pmem_reclaim(1UL << order))
            return 0;
    }
    uint64_t pa = virt_to_phys(pm.free[k].next);
    pop(pa);
    while (k > order) {
        k--;
        push(pa + (PAGE_SIZE << k), k);
    }
    pm.free_pages -= 1UL << order;
    return pa;
}

uint64_t pmem_alloc_zeroed(unsigned order)
{
    uint64_t pa = pmem_alloc(order);
    if (pa)
        memset(phys_to_virt(pa), 0, PAGE_SIZE << order);
    return pa;
}

void pmem_free(uint64_t pa, unsigned order)
{
    assert(!(pa & ((PAGE_SIZE << order) - 1)));
    assert((pa >> PAGE_SHIFT) < pm.nframes);
    assert(!(pm.meta[pa >> PAGE_SHIFT] & META_FREE));
    pm.free_pages += 1UL << order;
    while (order < PMEM_MAX_ORDER) {
        uint64_t buddy = pa ^ (PAGE_SIZE << order);
        if ((buddy >> PAGE_SHIFT) >= pm.nframes ||
            pm.meta[buddy >> PAGE_SHIFT] != (META_FREE | order))
            break;
        pop(buddy);
        pa = MIN(pa, buddy);
        order++;
    }
    push(pa, order);
}

uint64_t pmem_free_pages(void)
{
    return pm.free_pages;
}

uint64_t pmem_total_pages(void)
{
    return pm.total_pages;
}

uint64_t pmem_max_phys(void)
{
    return pm.nframes << PAGE_SHIFT;
}

/* Shared pages: the count stays below META_FREE, so a shared frame never
 * looks like a free block's head to the buddy merge in pmem_free. */
static uint8_t *page_meta(uint64_t pa)
{
    assert((pa >> PAGE_SHIFT) < pm.nframes);
    uint8_t *m = &pm.meta[pa >> PAGE_SHIFT];
    assert(!(*m & META_FREE));
    return m;
}

bool pmem_page_get(uint64_t pa)
{
    uint8_t *m = page_meta(pa);
    if (*m == META_REFS)
        return false;
    (*m)++;
    return true;
}

void pmem_page_put(uint64_t pa)
{
    uint8_t *m = page_meta(pa);
    if (*m)
        (*m)--;
    else
        pmem_free(pa, 0);
}

bool pmem_page_shared(uint64_t pa)
{
    return *page_meta(pa) != 0;
}
