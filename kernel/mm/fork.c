/*
 * mm/fork.c — fork's copy of an address space (docs/ARCHITECTURE.md,
 * "Memory").  The child gets a copy of every VMA (its file referenced
 * once more), the break, and page tables of its own whose entries name
 * the parent's pages:
 *
 * - a private page of the program's (anonymous, or a private copy of a
 *   file's page) gets one holder more (pmem_page_get) and becomes
 *   read-only with PTE_COW in both spaces: the first write by either
 *   copies it, the last holder takes it back writable (fault.c).  A page
 *   already held by 128 spaces is copied at once instead;
 * - a file's own page (PTE_FOREIGN) is mapped in both as it was: read-only
 *   in a private mapping (a write copies it), the file's bytes in a
 *   shared one;
 * - shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS) stays the same
 *   pages in both: it is allocated whole first, since a page faulted
 *   later by one space would not be the other's.
 *
 * The parent's entries narrowed here go from every CPU's TLB through
 * invlpg (the shootdown of arch/x86_64/smp_ipi.c) before fork returns.
 */
#include "mm/vma.h"

struct fork_copy {
    struct vm_space *child;
    const struct vma *v;
    int err;
};

/* The child's entry for a private page of the program's: the page
 * shared, or past 128 holders a copy. */
static uint64_t share_private(uint64_t *pte, uint64_t va, int *err)
{
    uint64_t e = *pte, pa = e & PTE_ADDR;
    if (pmem_page_get(pa)) {
        *pte = (e & ~PTE_W) | PTE_COW;
        if (e & PTE_W)
            invlpg(vm_root(), va);
        return *pte;
    }
    uint64_t copy = pmem_alloc(0);
    if (!copy) {
        *err = -ENOMEM;
        return 0;
    }
    memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
    return copy | (e & ~PTE_ADDR);
}

/* Enters the parent's entry *pte at va in the child (pt_each). */
static void copy_pte(uint64_t *pte, uint64_t va, void *arg)
{
    struct fork_copy *fc = arg;
    const struct vma *v = fc->v;
    if (fc->err)
        return;
    uint64_t e = *pte, pa = e & PTE_ADDR;
    if (e & PTE_FOREIGN) {
        /* The file's page stays in its cache while a table is had. */
        if (v->file)
            diskfile_pin(v->file->node, vma_file_index(v, va));
        fc->err = pt_set(fc->child->pml4, va, e);
        if (v->file)
            diskfile_unpin();
    } else {
        if (v->flags & VMA_SHARED)
            e = pmem_page_get(pa) ? e : 0;
        else
            e = share_private(pte, va, &fc->err);
        if (!e) {
            fc->err = -ENOMEM;
            return;
        }
        fc->err = pt_set(fc->child->pml4, va, e);
        if (fc->err)
            pmem_page_put(e & PTE_ADDR);
    }
    if (!fc->err)
        vm_account(fc->child, e, 1);
}

/* Shared anonymous memory gets every page now (see the top). */
static int populate_shared(const struct vma *v)
{
    for (uint64_t va = v->start; va < v->end; va += PAGE_SIZE) {
        uint64_t *pte = pt_lookup(vm_root(), va);
        if (pte && *pte)
            continue;
        uint64_t pa = pmem_alloc_zeroed(0);
        if (!pa)
            return -ENOMEM;
        uint64_t e = pa | vma_pte_flags(v, false);
        if (pt_set(vm_root(), va, e)) {
            pmem_free(pa, 0);
            return -ENOMEM;
        }
        vm_account(vm_cur(), e, 1);
    }
    return 0;
}

/* The child's copy of v, appended to its list (the VMAs are in order). */
static int copy_vma(struct vm_space *c, const struct vma *v)
{
    struct vma *n = kmalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = *v;
    if (n->file)
        n->file->refs++;
    list_add_tail(&c->vmas, &n->link);
    c->nvmas++;
    return 0;
}

static int copy_pages(struct vm_space *c, const struct vma *v)
{
    if ((v->flags & VMA_SHARED) && !v->file) {
        int err = populate_shared(v);
        if (err)
            return err;
    }
    struct fork_copy fc = {.child = c, .v = v};
    pt_each(vm_root(), v->start, v->end, copy_pte, &fc);
    return fc.err;
}

int vm_space_fork(struct vm_space **child)
{
    struct vm_space *s = vm_cur(), *c = vm_space_create();
    if (!c)
        return -ENOMEM;
    c->brk_start = s->brk_start;
    c->brk_end = s->brk_end;
    /* What exec recorded (/proc/PID): the same program, arguments and
     * environment, at the same addresses. */
    c->arg_start = s->arg_start, c->arg_end = s->arg_end;
    c->env_start = s->env_start, c->env_end = s->env_end;
    int err = 0;
    if (s->exe && !(c->exe = kstrdup(s->exe)))
        err = -ENOMEM;
    /* Every VMA first: a page allocated below may reclaim a file's page,
     * which is then zapped in the child's mappings too. */
    list_for_each(l, &s->vmas)
    {
        if (err || (err = copy_vma(c, VMA(l))))
            break;
    }
    list_for_each(l, &s->vmas)
    {
        if (err || (err = copy_pages(c, VMA(l))))
            break;
    }
    if (err) {
        vm_space_destroy(c);
        return err;
    }
    *child = c;
    return 0;
}
