/*
 * mm/fault.c — page faults: anonymous pages appear zeroed on first touch
 * (a read of private ones maps the shared zero page, read-only, and the
 * first write gives the page its own copy, as on Linux);
 * a file mapping's page is the file's own (node_page): mapped as it is in
 * a MAP_SHARED mapping, so writes through it are the file's bytes at
 * once, and read-only in a MAP_PRIVATE one, whose first write copies it
 * (copy-on-write).  After fork a private page both spaces hold
 * (PTE_COW, mm/fork.c) is copied at the first write by either, or taken
 * back writable by the last holder.  A shared mapping's clean page (a
 * volume's, or the disk's) is mapped read-only too: its first store
 * faults and marks it dirty, and write-back protects it again
 * (vm_wrprotect_file).  A page wholly past the end of the file is a
 * SIGBUS, as on Linux (man 2 mmap, "Use of a mapped region can result in
 * these signals").  Also: zapping a file's pages from its mappings
 * (truncate) and mincore.
 */
#include "mm/vma.h"

enum { PF_WRITE = 2, PF_FETCH = 16 };

static bool allowed(const struct vma *v, uint64_t err)
{
    if (err & PF_WRITE)
        return v->prot & PROT_WRITE;
    if (err & PF_FETCH)
        return v->prot & PROT_EXEC;
    return v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
}

/* Replaces the file's page at *pte with a private copy.  The file's page
 * is pinned while the copy is allocated, which could reclaim it. */
static int cow(const struct vma *v, uint64_t *pte, uint64_t va)
{
    if (v->file) /* else the program's own pages (the image), or zeros */
        diskfile_pin(v->file->node, vma_file_index(v, va));
    uint64_t pa = pmem_alloc(0);
    if (v->file)
        diskfile_unpin();
    if (!pa)
        return -ENOMEM;
    memcpy(phys_to_virt(pa), phys_to_virt(*pte & PTE_ADDR), PAGE_SIZE);
    vm_account(vm_cur(), *pte, -1);
    *pte = pa | vma_pte_flags(v, false);
    vm_account(vm_cur(), *pte, 1);
    invlpg(vm_root(), va);
    return 0;
}

/* A write to a page fork shares (PTE_COW): the last holder takes it
 * back writable, any other gets a copy and drops its hold. */
static int cow_shared(const struct vma *v, uint64_t *pte, uint64_t va)
{
    uint64_t old = *pte & PTE_ADDR;
    if (!pmem_page_shared(old)) {
        *pte = old | vma_pte_flags(v, false);
        invlpg_local(va); /* no narrowing: the other CPUs may keep theirs */
        return 0;
    }
    uint64_t pa = pmem_alloc(0);
    if (!pa)
        return -ENOMEM;
    memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
    *pte = pa | vma_pte_flags(v, false);
    invlpg(vm_root(),
           va); /* no CPU reads the old page through this space again */
    pmem_page_put(old);
    return 0;
}

/* The file's page at va, mapped or copied.  The page is pinned while
 * this may allocate (a copy, a page table): the allocation could
 * otherwise reclaim it (fs/diskfile.c). */
static int file_fault(const struct vma *v, uint64_t va, bool write)
{
    bool shared = v->flags & VMA_SHARED;
    struct node *n = v->file->node;
    uint64_t idx = vma_file_index(v, va), pa;
    int err = node_page(n, idx, shared, &pa);
    if (!err && shared && write)
        err = node_page_dirty(n, idx);
    if (err)
        return -EIO; /* past the end, or no page for it: SIGBUS */
    diskfile_pin(n, idx);
    if (shared || !write) {
        err = vm_pte_map(va, pa, vma_file_pte_flags(v, va));
    } else {
        uint64_t copy = pmem_alloc(0);
        err = copy ? 0 : -ENOMEM;
        if (copy) {
            memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
            err = vm_pte_map(va, copy, vma_pte_flags(v, false));
            if (err)
                pmem_free(copy, 0);
        }
    }
    diskfile_unpin();
    return err;
}

/* Fault-around: a read fault in a file mapping also maps the file's
 * pages already at hand (node_page_at_hand) in the aligned 16-page
 * window around it, as Linux's fault_around_bytes (64 KiB) does, so that
 * a program's start takes one fault per 64 KiB of its code and read-only
 * data instead of one per page.  Only within the VMA and the file (no
 * page wholly past its end), only where nothing is mapped, with the
 * VMA's protection, and foreign: in a private mapping read-only, so a
 * write still copies.  Not in a shared mapping that may write, which
 * must have the file's own page, never the image's. */
#define FAULT_AROUND_PAGES 16

static void fault_around(const struct vma *v, uint64_t va)
{
    if ((v->flags & VMA_SHARED) && (v->flags & VMA_MAYWRITE))
        return;
    uint64_t span = FAULT_AROUND_PAGES * PAGE_SIZE;
    uint64_t lo = MAX(ALIGN_DOWN(va, span), v->start);
    uint64_t hi = MIN(ALIGN_DOWN(va, span) + span, v->end);
    struct node *n = v->file->node;
    for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
        uint64_t *pte = pt_lookup(vm_root(), a), pa, idx = vma_file_index(v, a);
        if (a == va || (pte && *pte) || node_page_at_hand(n, idx, &pa))
            continue;
        /* The window shares the faulting page's page table: mapping
         * allocates nothing that could reclaim the page. */
        if (vm_pte_map(a, pa, vma_file_pte_flags(v, a)))
            return;
    }
}

int vm_fault(uint64_t addr, uint64_t err)
{
    struct vma *v = vma_find(addr);
    if (!v)
        return -EFAULT;
    if (!allowed(v, err))
        return -EACCES;
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    uint64_t *pte = pt_lookup(vm_root(), va);
    if (pte && *pte) {
        /* Mapped and allowed: a write to a file's page in a private
         * mapping copies it; anything else is a stale entry. */
        bool foreign = *pte & PTE_FOREIGN;
        if ((err & PF_WRITE) && (*pte & PTE_COW))
            return cow_shared(v, pte, va);
        if ((err & PF_WRITE) && foreign && !(v->flags & VMA_SHARED))
            return cow(v, pte, va);
        if ((err & PF_WRITE) && foreign &&
            node_page_dirty(v->file->node, vma_file_index(v, va)))
            return -EIO;
        *pte = vma_pte_for(v, va, *pte);
        invlpg_local(va); /* no narrowing: the other CPUs may keep theirs */
        return 0;
    }
    if (v->file) {
        int r = file_fault(v, va, err & PF_WRITE);
        if (!r && !(err & PF_WRITE))
            fault_around(v, va);
        return r;
    }
    /* A read of private anonymous memory never written: the zero page,
     * read-only, until a write copies it (cow); shared anonymous memory
     * has every page already (mm/fork.c). */
    if (!(err & PF_WRITE) && !(v->flags & VMA_SHARED))
        return vm_pte_map(va, vm_zero_page(),
                          vma_pte_flags(v, true) | PTE_FOREIGN);
    uint64_t pa = pmem_alloc_zeroed(0);
    if (!pa)
        return -ENOMEM;
    int r = vm_pte_map(va, pa, vma_pte_flags(v, false));
    if (r)
        pmem_free(pa, 0);
    return r;
}

int vm_zero_tail(uint64_t addr)
{
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    struct vma *v = vma_find(va);
    if (addr == va || !v || !v->file || (v->flags & VMA_SHARED))
        return 0;
    uint64_t *pte = pt_lookup(vm_root(), va);
    int err = 0;
    if (!pte || !*pte)
        err = file_fault(v, va, true);
    else if (*pte & PTE_FOREIGN)
        err = cow(v, pte, va);
    else if (*pte & PTE_COW)
        err = cow_shared(v, pte, va);
    if (err)
        return err;
    pte = pt_lookup(vm_root(), va);
    memset((uint8_t *)phys_to_virt(*pte & PTE_ADDR) + (addr - va), 0,
           va + PAGE_SIZE - addr);
    return 0;
}

/* What file_pt_each's callbacks get: the space of the entry. */
struct file_pt {
    struct vm_space *space;
    bool cows; /* zap_pte: the private copies go too */
};

static void wrprotect_pte(uint64_t *pte, uint64_t va, void *arg)
{
    const struct file_pt *fp = arg;
    if ((*pte & PTE_FOREIGN) && (*pte & PTE_W)) {
        *pte &= ~PTE_W;
        invlpg(fp->space->pml4, va);
    }
}

static void zap_pte(uint64_t *pte, uint64_t va, void *arg)
{
    struct file_pt *fp = arg;
    if ((*pte & PTE_FOREIGN) || fp->cows)
        vm_pte_drop(fp->space, pte, va);
}

/* Calls fn on the entries of pages [from, to) of n in every mapping of
 * it (shared ones only when shared_only) in one space. */
static void space_file_pt_each(struct vm_space *s, struct node *n,
                               uint64_t from, uint64_t to, bool shared_only,
                               void (*fn)(uint64_t *, uint64_t, void *),
                               void *arg)
{
    list_for_each(l, &s->vmas)
    {
        struct vma *v = VMA(l);
        if (!v->file || v->file->node != n ||
            (shared_only && !(v->flags & VMA_SHARED)))
            continue;
        uint64_t first = v->off / PAGE_SIZE;
        uint64_t last = first + (v->end - v->start) / PAGE_SIZE;
        uint64_t lo = MAX(from, first), hi = MIN(to, last);
        if (lo < hi)
            pt_each(s->pml4, v->start + (lo - first) * PAGE_SIZE,
                    v->start + (hi - first) * PAGE_SIZE, fn, arg);
    }
}

/* The same in every address space. */
static void file_pt_each(struct node *n, uint64_t from, uint64_t to,
                         bool shared_only,
                         void (*fn)(uint64_t *, uint64_t, void *),
                         struct file_pt *fp)
{
    list_for_each(l, vm_spaces())
    {
        fp->space = container_of(l, struct vm_space, link);
        space_file_pt_each(fp->space, n, from, to, shared_only, fn, fp);
    }
}

void vm_zap_file(struct node *n, uint64_t from, uint64_t to, bool cows)
{
    struct file_pt fp = {.cows = cows};
    file_pt_each(n, from, to, false, zap_pte, &fp);
}

void vm_wrprotect_file(struct node *n, uint64_t from, uint64_t to)
{
    struct file_pt fp = {0};
    file_pt_each(n, from, to, true, wrprotect_pte, &fp);
}

/* Whether the page at va is resident: mapped, or for a file mapping in
 * the file's page cache (its own pages and the image, both in RAM). */
static uint8_t resident(const struct vma *v, uint64_t va)
{
    uint64_t *pte = pt_lookup(vm_root(), va);
    if (pte && *pte)
        return 1;
    return v->file && node_page_cached(v->file->node, vma_file_index(v, va));
}

int vm_mincore(uint64_t addr, uint64_t len, uint64_t uvec)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (end < addr || !user_range_ok(addr, end - addr))
        return -ENOMEM;
    uint8_t buf[64];
    unsigned n = 0;
    for (uint64_t va = addr; va < end; va += PAGE_SIZE) {
        struct vma *v = vma_find(va);
        if (!v)
            return -ENOMEM;
        buf[n++] = resident(v, va);
        if (n == sizeof(buf) || va + PAGE_SIZE == end) {
            if (copy_to_user(uvec, buf, n))
                return -EFAULT;
            uvec += n;
            n = 0;
        }
    }
    return 0;
}
