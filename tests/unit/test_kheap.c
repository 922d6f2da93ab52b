/*
 * tests/unit/test_kheap.c — the kernel heap (kernel/mm/kheap.c over the
 * real page allocator, kernel/mm/pmem.c, built for the host): each size
 * from 0 to 300, every 7th to 4200, and 1 MiB; 16-byte alignment, objects
 * that never overlap, reuse after kfree, big objects giving their pages
 * back, sizes too large to serve (SIZE_MAX among them), a double free and
 * a header overwritten by an overflow caught, exhaustion returning NULL
 * and the heap usable again after it, and an injected failure.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/kheap.c"
#include "mm/pmem.c"

#include "check.h"
#include "kshim.c"

#define RAM (16UL << 20)

static bool fail_next;

bool failinject_now(enum fail_kind kind)
{
    bool f = fail_next && kind == FAIL_SLAB;
    fail_next = false;
    return f;
}

/* Each object is filled with a byte of its own, checked before it goes. */
struct obj {
    uint8_t *p;
    size_t n;
    uint8_t fill;
};

static bool intact(const struct obj *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->p[i] != o->fill)
            return false;
    return true;
}

static void every_size(void)
{
    static struct obj objs[4200];
    uint64_t pages = kheap_pages(), free0 = pmem_free_pages();
    int n = 0;
    for (size_t sz = 0; sz <= 4200; sz += sz < 300 ? 1 : 7) {
        struct obj *o = &objs[n++];
        o->p = kmalloc(sz);
        o->n = sz;
        o->fill = (uint8_t)(n * 13 + 1);
        CHECK(o->p != NULL);
        CHECK(((uintptr_t)o->p & 15) == 0);
        memset(o->p, o->fill, sz);
    }
    uint64_t big = 1UL << 20; /* 1 MiB + the header: an order-9 block */
    uint8_t *b = kmalloc(big);
    CHECK(b && ((uintptr_t)b & 15) == 0);
    memset(b, 0xbb, big);
    for (int i = 0; i < n; i++)
        CHECK(intact(&objs[i]));
    for (int i = 0; i < n; i += 2)
        kfree(objs[i].p);
    for (int i = 1; i < n; i += 2)
        CHECK(intact(&objs[i]));
    for (int i = 1; i < n; i += 2)
        kfree(objs[i].p);
    kfree(b);
    CHECK_EQ(heap.objects, 0);
    /* Big objects' pages went back; the slabs stay with the heap. */
    CHECK_EQ(pmem_free_pages() + (kheap_pages() - pages), free0);
}

static void reuse(void)
{
    void *a = kmalloc(100);
    kfree(a);
    CHECK(kmalloc(100) == a); /* the class's free list is LIFO */
    memset(a, 0x5a, 100);
    kfree(a);
    uint8_t *z = kzalloc(100);
    CHECK(z == a);
    bool zero = true;
    for (int i = 0; i < 100; i++)
        zero &= z[i] == 0;
    CHECK(zero);
    kfree(z);
    kfree(NULL); /* allowed, does nothing */
    CHECK_EQ(heap.objects, 0);
}

static void too_large(void)
{
    uint64_t free0 = pmem_free_pages();
    size_t huge[] = {SIZE_MAX,
                     SIZE_MAX - 15,
                     SIZE_MAX - 16,
                     SIZE_MAX / 2 + 1,
                     (size_t)1 << 40,
                     (PAGE_SIZE << PMEM_MAX_ORDER) - 15,
                     (PAGE_SIZE << PMEM_MAX_ORDER) + 1};
    for (size_t i = 0; i < ARRAY_SIZE(huge); i++) {
        void *p = kmalloc(huge[i]);
        CHECK(p == NULL);
        if (p)
            fprintf(stderr, "kmalloc(%zu) gave an object\n", huge[i]);
        CHECK(kzalloc(huge[i]) == NULL);
    }
    CHECK_EQ(pmem_free_pages(), free0);
    /* The largest that fits: the whole top-order block less the header. */
    void *p = kmalloc((PAGE_SIZE << PMEM_MAX_ORDER) - 16);
    CHECK(p != NULL);
    kfree(p);
    CHECK_EQ(heap.objects, 0);
}

static bool kfree_panics(void *p)
{
    return KSHIM_PANICS(kfree(p));
}

static void misuse(void)
{
    uint8_t *a = kmalloc(40), *b = kmalloc(4000);
    kfree(a);
    CHECK(kfree_panics(a)); /* small double free */
    kfree(b);
    CHECK(kfree_panics(b)); /* big double free */
    /* An overflow into the next object's header is caught at its kfree. */
    uint8_t *o[64], *lo = NULL, *hi = NULL;
    for (int i = 0; i < 64; i++)
        o[i] = kmalloc(40); /* 64-byte objects, 64 to a slab */
    for (int i = 0; i < 64 && !hi; i++)
        for (int j = 0; j < 64 && !hi; j++)
            if (o[j] == o[i] + 64)
                lo = o[i], hi = o[j];
    CHECK(hi != NULL);
    if (hi) {
        memset(lo, 0x41, 64 - 16 + 8); /* into hi's class and magic */
        CHECK(kfree_panics(hi));
        heap.objects--; /* hi is lost: its header is gone */
    }
    for (int i = 0; i < 64; i++)
        if (o[i] != hi)
            kfree(o[i]);
    /* A pointer into an object is not an object. */
    a = kmalloc(200);
    CHECK(kfree_panics(a + 16));
    kfree(a);
}

static void exhaustion(void)
{
    uint64_t objects0 = heap.objects;
    void *first = NULL;
    long n = 0;
    void **p;
    /* Small objects until the page allocator is empty, chained. */
    while ((p = kmalloc(48))) {
        *p = first;
        first = p;
        n++;
    }
    CHECK(n > 1000);
    CHECK(kmalloc(5000) == NULL);
    while (first) {
        void *next = *(void **)first;
        kfree(first);
        first = next;
    }
    /* The slabs stay with the heap (pmem is still empty), and every
     * object can be had again. */
    CHECK_EQ(pmem_free_pages(), 0);
    long again = 0;
    while ((p = kmalloc(48))) {
        *p = first;
        first = p;
        again++;
    }
    CHECK_EQ(again, n);
    while (first) {
        void *next = *(void **)first;
        kfree(first);
        first = next;
    }
    CHECK_EQ(heap.objects, objects0);
}

int main(void)
{
    kshim_ram = aligned_alloc(PAGE_SIZE << PMEM_MAX_ORDER, RAM);
    struct mem_range ram[] = {{1 << 20, RAM}};
    pmem_init(ram, 1, NULL, 0);

    every_size();
    reuse();
    too_large();
    misuse();

    fail_next = true;
    CHECK(kmalloc(8) == NULL);
    CHECK(kmalloc(8) != NULL);

    exhaustion();
    free(kshim_ram);
    return check_done();
}
