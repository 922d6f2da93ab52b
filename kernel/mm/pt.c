/*
 * mm/pt.c — page tables.  The kernel's hierarchy (pt.kernel: direct map,
 * kernel image, MMIO, kernel stacks; supervisor-only) is what CR3 holds
 * until a program runs; each address space (vm.c) has a PML4 of its own
 * (pt_root_new) whose user half (below USER_TOP) is its own and whose
 * kernel half holds the kernel PML4's entries, so every table below them
 * is shared and a kernel mapping made later is seen in every space.  For
 * that the kernel PML4 never gains an entry once the first space exists:
 * pt_pmem_ready gives every kernel region its entry beforehand, and a
 * kernel walk that would add one later panics.  pt_init replaces the boot
 * tables; until the page allocator exists, the tables it needs come from
 * a bump region right after the kernel image.
 */
#include "mm/mm.h"

#define LEVEL_SHIFT(l) (12 + 9 * (l)) /* l = 0 (PT) .. 3 (PML4) */
#define INDEX(va, l) (((va) >> LEVEL_SHIFT(l)) & 511)

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

#define PML4_KERNEL_FIRST 256 /* entries from here on map the kernel half */

static struct {
    uint64_t *kernel; /* the kernel's PML4 */
    bool roots_made;  /* an address space's PML4 copied its kernel half */
    uint64_t early_next, early_end; /* bump region for early tables */
    bool pmem_ready;
    uint64_t mmio_next;
} pt;

static uint64_t table_alloc(void)
{
    if (pt.pmem_ready)
        return pmem_alloc_zeroed(0);
    if (pt.early_next >= pt.early_end)
        panic("pt: early page-table region exhausted");
    uint64_t pa = pt.early_next;
    pt.early_next += PAGE_SIZE;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    return pa;
}

/* The entry for va at `level` (0 = 4 KiB leaf, 1 = 2 MiB leaf) in the
 * hierarchy under root (the kernel's for a kernel address), creating the
 * tables above it when create is set. */
static uint64_t *walk(uint64_t *root, uint64_t va, int level, bool create)
{
    uint64_t *table = va < USER_TOP ? root : pt.kernel;
    uint64_t inter = PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
    for (int l = 3; l > level; l--) {
        uint64_t *e = &table[INDEX(va, l)];
        if (!(*e & PTE_P)) {
            if (!create)
                return NULL;
            if (l == 3 && va >= USER_TOP && pt.roots_made)
                panic("pt: no kernel PML4 entry for %lx", va);
            uint64_t pa = table_alloc();
            if (!pa)
                return NULL;
            *e = pa | inter;
        }
        if (*e & PTE_PS)
            return NULL;
        table = phys_to_virt(*e & PTE_ADDR);
    }
    return &table[INDEX(va, level)];
}

int pt_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *e = walk(root, va, 0, true);
    if (!e)
        return -ENOMEM;
    bool was = *e & PTE_P;
    *e = pa | flags | PTE_P;
    if (was)
        invlpg(root, va);
    return 0;
}

int pt_set(uint64_t *root, uint64_t va, uint64_t entry)
{
    uint64_t *e = walk(root, va, 0, true);
    if (!e)
        return -ENOMEM;
    *e = entry;
    invlpg(root, va);
    return 0;
}

uint64_t *pt_lookup(uint64_t *root, uint64_t va)
{
    return walk(root, va, 0, false);
}

int pt_kernel_map(uint64_t va, uint64_t pa, uint64_t flags)
{
    assert(va >= USER_TOP);
    return pt_map(NULL, va, pa, flags);
}

uint64_t *pt_kernel_lookup(uint64_t va)
{
    assert(va >= USER_TOP);
    return walk(NULL, va, 0, false);
}

static void each(uint64_t *table, int level, uint64_t base, uint64_t start,
                 uint64_t end, void (*fn)(uint64_t *, uint64_t, void *),
                 void *arg)
{
    uint64_t span = 1UL << LEVEL_SHIFT(level);
    for (unsigned i = INDEX(start, level); i < 512; i++) {
        uint64_t va = base + i * span;
        if (va >= end)
            return;
        /* A leaf that is not present but not 0 keeps a page (PROT_NONE). */
        if (!(table[i] & (level ? PTE_P : ~0UL)) || va + span <= start)
            continue;
        if (level == 0)
            fn(&table[i], va, arg);
        else if (!(table[i] & PTE_PS))
            each(phys_to_virt(table[i] & PTE_ADDR), level - 1, va,
                 MAX(start, va), end, fn, arg);
    }
}

void pt_each(uint64_t *root, uint64_t start, uint64_t end,
             void (*fn)(uint64_t *pte, uint64_t va, void *arg), void *arg)
{
    assert(end <= USER_TOP);
    each(root, 3, 0, start, end, fn, arg);
}

uint64_t *pt_root_new(void)
{
    uint64_t pa = pmem_alloc_zeroed(0);
    if (!pa)
        return NULL;
    uint64_t *root = phys_to_virt(pa);
    for (unsigned i = PML4_KERNEL_FIRST; i < 512; i++)
        root[i] = pt.kernel[i];
    pt.roots_made = true;
    return root;
}

/* Frees the tables that table, of level `level` (2: a PDPT), points to;
 * the leaves' pages are the caller's. */
static void free_tables(uint64_t *table, int level)
{
    for (unsigned i = 0; i < 512; i++) {
        uint64_t e = table[i];
        if (!(e & PTE_P) || (e & PTE_PS))
            continue;
        if (level > 1)
            free_tables(phys_to_virt(e & PTE_ADDR), level - 1);
        pmem_free(e & PTE_ADDR, 0);
    }
}

void pt_root_free(uint64_t *root)
{
    assert(root != pt.kernel && virt_to_phys(root) != read_cr3());
    /* Only the user half: the kernel half's tables are the kernel's. */
    for (unsigned i = 0; i < PML4_KERNEL_FIRST; i++) {
        if (!(root[i] & PTE_P))
            continue;
        free_tables(phys_to_virt(root[i] & PTE_ADDR), 2);
        pmem_free(root[i] & PTE_ADDR, 0);
    }
    pmem_free(virt_to_phys(root), 0);
}

void pt_switch(uint64_t *root)
{
    uint64_t pa = virt_to_phys(root ? root : pt.kernel);
    if (read_cr3() != pa)
        tlb_load(root, pa);
}

static void map_kernel_image(void)
{
    uint64_t va = (uint64_t)__kernel_start;
    for (; va < (uint64_t)__kernel_end; va += PAGE_SIZE) {
        uint64_t flags = PTE_G;
        if (kstack_guard(va))
            continue; /* the boot stack's guard (kstack.c) */
        if (va >= (uint64_t)__text_end)
            flags |= PTE_NX;
        if (va >= (uint64_t)__rodata_end)
            flags |= PTE_W;
        if (pt_kernel_map(va, va - KERNEL_BASE, flags))
            panic("pt: cannot map the kernel");
    }
}

static void map_direct(const struct mem_range *ram, int nram)
{
    const uint64_t big = 1UL << 21;
    for (int i = 0; i < nram; i++) {
        uint64_t pa = ALIGN_DOWN(ram[i].start, big);
        for (; pa < ram[i].end; pa += big) {
            uint64_t *e = walk(NULL, DIRECT_BASE + pa, 1, true);
            if (!e)
                panic("pt: cannot build the direct map");
            *e = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
        }
    }
}

uint64_t pt_init(const struct mem_range *ram, int nram, uint64_t early_start)
{
    pt.early_next = pt.early_end = ALIGN_UP(early_start, PAGE_SIZE);
    pt.early_end += 128 * PAGE_SIZE;
    pt.kernel = phys_to_virt(table_alloc());
    map_kernel_image();
    map_direct(ram, nram);
    pt.mmio_next = MMIO_BASE;
    write_cr3(virt_to_phys(pt.kernel));
    return pt.early_next;
}

void pt_pmem_ready(void)
{
    pt.pmem_ready = true;
    /* The kernel regions mapped later get their PML4 entries now (see
     * the top); the image's and the direct map's exist already. */
    const uint64_t later[] = {MMIO_BASE, KSTACK_REGION};
    for (unsigned i = 0; i < ARRAY_SIZE(later); i++)
        if (!walk(NULL, later[i], 2, true))
            panic("pt: no memory for the kernel's tables");
}

void *mmio_map(uint64_t pa, size_t size)
{
    uint64_t off = pa & (PAGE_SIZE - 1), va = pt.mmio_next;
    size = ALIGN_UP(size + off, PAGE_SIZE);
    for (uint64_t i = 0; i < size; i += PAGE_SIZE)
        if (pt_kernel_map(va + i, pa - off + i,
                          PTE_W | PTE_PCD | PTE_PWT | PTE_NX))
            panic("pt: cannot map MMIO at %lx", pa);
    pt.mmio_next += size + PAGE_SIZE; /* a guard page between regions */
    return (void *)(va + off);
}
