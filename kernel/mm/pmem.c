/*
 * mm/pmem.c — physical memory: a buddy allocator over the RAM ranges of
 * the PVH memory map.  One byte of metadata per page frame records whether
 * the frame heads a free block and of which order; free blocks are linked
 * through their own first bytes (via the direct map), so initialisation
 * touches one page per block, not every page.
 */
#include "mm/mm.h"

#define META_FREE 0x80

struct free_block {
    struct list link;
};

static struct {
    uint8_t *meta; /* per frame: META_FREE | order, for free block heads */
    uint64_t nframes;
    struct list free[PMEM_MAX_ORDER + 1];
    uint64_t free_pages, total_pages;
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

/* Adds [start, end) as the largest aligned blocks that fit. */
static void add_range(uint64_t start, uint64_t end)
{
    start = ALIGN_UP(start, PAGE_SIZE);
    end = ALIGN_DOWN(end, PAGE_SIZE);
    while (start < end) {
        unsigned order = PMEM_MAX_ORDER;
        while (order > 0 && ((start & ((PAGE_SIZE << order) - 1)) ||
                             start + (PAGE_SIZE << order) > end))
            order--;
        push(start, order);
        pm.free_pages += 1UL << order;
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
        for (int j = 0; j < nreserved; j++)
            if (reserved[j].start < s + need && reserved[j].end > s)
                s = ALIGN_UP(reserved[j].end, PAGE_SIZE);
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
    for (int i = 0; i < nram; i++) {
        uint64_t s = MAX(ram[i].start, 0x100000UL);
        if (s < ram[i].end)
            add_unreserved(s, ram[i].end, res, nres);
    }
    pm.total_pages = pm.free_pages;
}

uint64_t pmem_alloc(unsigned order)
{
    unsigned k = order;
    while (k <= PMEM_MAX_ORDER && list_empty(&pm.free[k]))
        k++;
    if (k > PMEM_MAX_ORDER)
        return 0;
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
