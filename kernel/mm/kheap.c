/*
 * mm/kheap.c — the kernel heap.  Requests up to 2 KiB come from per-size
 * free lists carved out of whole pages; larger ones are whole page blocks.
 * Every object carries a 16-byte header naming its class, so kfree needs no
 * size and objects stay 16-byte aligned (FXSAVE areas depend on that).
 */
#include "mm/mm.h"

#define HDR 16
#define NCLASS 7 /* 32 .. 2048 */
#define BIG_TAG 0x100

struct hdr {
    uint32_t cls;
    uint32_t magic;
    uint64_t pad;
};

#define MAGIC 0x6b686561

static struct {
    void *free[NCLASS];
    uint64_t objects; /* live objects, reported by the kernel stats */
    uint64_t pages;   /* pages the heap holds (slabs and big objects) */
} heap;

uint64_t kheap_pages(void)
{
    return heap.pages;
}

static unsigned class_size(unsigned c)
{
    return 32u << c;
}

static bool refill(unsigned c)
{
    uint64_t pa = pmem_alloc(0);
    if (!pa)
        return false;
    char *page = phys_to_virt(pa);
    unsigned sz = class_size(c);
    heap.pages++;
    for (unsigned off = 0; off + sz <= PAGE_SIZE; off += sz) {
        *(void **)(page + off) = heap.free[c];
        heap.free[c] = page + off;
    }
    return true;
}

void *kmalloc(size_t n)
{
    struct hdr *h;
    size_t total = n + HDR;

    /* Larger than the largest block (and n + HDR must not wrap: SIZE_MAX
     * once gave a 32-byte object, and the order loop below never ended
     * for n above 2^63). */
    if (n > (PAGE_SIZE << PMEM_MAX_ORDER) - HDR)
        return NULL;
    if (failinject_now(FAIL_SLAB))
        return NULL;
    if (total <= class_size(NCLASS - 1)) {
        unsigned c = 0;
        while (class_size(c) < total)
            c++;
        if (!heap.free[c] && !refill(c))
            return NULL;
        h = heap.free[c];
        heap.free[c] = *(void **)h;
        h->cls = c;
    } else {
        unsigned order = 0;
        while ((PAGE_SIZE << order) < total)
            order++;
        uint64_t pa = pmem_alloc(order);
        if (!pa)
            return NULL;
        h = phys_to_virt(pa);
        h->cls = BIG_TAG | order;
        heap.pages += 1UL << order;
    }
    h->magic = MAGIC;
    heap.objects++;
    return (char *)h + HDR;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct hdr *h = (struct hdr *)((char *)p - HDR);
    assert(h->magic == MAGIC);
    h->magic = 0;
    heap.objects--;
    if (h->cls & BIG_TAG) {
        heap.pages -= 1UL << (h->cls & 0xff);
        pmem_free(virt_to_phys(h), h->cls & 0xff);
        return;
    }
    /* The free-list link overwrites the header: read the class first (the
     * kernel only worked because -O2's aliasing rules kept it loaded). */
    unsigned c = h->cls;
    assert(c < NCLASS);
    *(void **)h = heap.free[c];
    heap.free[c] = h;
}
