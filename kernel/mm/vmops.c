/*
 * mm/vmops.c — the calls that work on existing mappings: madvise, mremap
 * and msync.  A file's pages are its page cache (fs/node.c), so a write
 * through a MAP_SHARED mapping is in the file at once and msync has
 * nothing to write back, except for a mounted file system's files
 * (fs/mount_ops.c), whose backend gets the mapped pages.
 */
#include "fs/mount.h"
#include "mm/vma.h"

enum {
    MADV_DONTNEED = 4,
    MADV_FREE = 8,
    MADV_REMOVE = 9,
    MADV_POPULATE_READ = 22,
    MADV_POPULATE_WRITE = 23,
    MADV_DONTNEED_LOCKED = 24,
    MADV_COLLAPSE = 25,
};

/* Linux 6.x's advice values (asm-generic/mman-common.h) without
 * MADV_HWPOISON and MADV_SOFT_OFFLINE, which need a kernel built for
 * memory-failure testing. */
static bool advice_known(int advice)
{
    return (advice >= 0 && advice <= MADV_DONTNEED) ||
           (advice >= MADV_FREE && advice <= MADV_COLLAPSE);
}

static void drop_pte(uint64_t *pte, uint64_t va, void *arg)
{
    vm_pte_drop(arg, pte, va);
}

/* Faults in [lo, hi) as an access would (MADV_POPULATE_*). */
static int populate(uint64_t lo, uint64_t hi, bool write)
{
    for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
        int err = vm_fault(va, write ? 2 : 0);
        if (write)
            mount_balance_dirty(); /* a call, no file system's under way */
        if (err)
            return err == -ENOMEM ? -ENOMEM : -EFAULT;
    }
    return 0;
}

static int advise(struct vma *v, uint64_t lo, uint64_t hi, int advice)
{
    switch (advice) {
    case MADV_FREE:
        if (v->file || (v->flags & VMA_SHARED))
            return -EINVAL;
        /* Freeing at once is what Linux may do anyway. */
        pt_each(vm_root(), lo, hi, drop_pte, vm_cur());
        return 0;
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
        /* Anonymous memory reads zeros again, a private file mapping the
         * file's bytes, a shared one what the file holds (unchanged). */
        pt_each(vm_root(), lo, hi, drop_pte, vm_cur());
        return 0;
    case MADV_REMOVE:
        if (!(v->flags & VMA_SHARED))
            return -EINVAL;
        if (!v->file) {
            pt_each(vm_root(), lo, hi, drop_pte, vm_cur());
            return 0;
        }
        return node_punch(v->file->node, vma_file_index(v, lo),
                          vma_file_index(v, hi));
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
        return populate(lo, hi, advice == MADV_POPULATE_WRITE);
    default:
        return 0; /* a hint */
    }
}

int vm_madvise(uint64_t addr, uint64_t len, int advice)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (end < addr || (len && end == addr) || !advice_known(advice))
        return -EINVAL;
    if (end == addr)
        return 0;
    if (!user_range_ok(addr, end - addr))
        return -ENOMEM;
    /* Unmapped parts: the advice still applies to the rest, then ENOMEM
     * (man 2 madvise). */
    int err = 0;
    bool hole = false;
    for (uint64_t a = addr; a < end && !err;) {
        struct vma *v = vma_find(a);
        if (!v) {
            hole = true;
            a += PAGE_SIZE;
            continue;
        }
        uint64_t hi = MIN(end, v->end);
        err = advise(v, a, hi, advice);
        a = hi;
    }
    return err ? err : hole ? -ENOMEM : 0;
}

int vm_msync(uint64_t addr, uint64_t len, int flags)
{
    enum { MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4 };
    if ((addr & (PAGE_SIZE - 1)) ||
        (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (end < addr || !user_range_ok(addr, end - addr))
        return -ENOMEM;
    int first = 0;
    for (uint64_t a = addr; a < end;) {
        struct vma *v = vma_find(a);
        if (!v)
            return -ENOMEM;
        /* A mounted file's shared pages go back to its backend, and
         * with MS_SYNC to the disk, as Linux's fsync of the range. */
        struct node *n = v->file ? v->file->node : NULL;
        if (n && (v->flags & VMA_SHARED) && n->mnt && !first)
            first = flags & MS_SYNC ? mount_fsync(n) : mount_writeback(n);
        a = v->end;
    }
    return first;
}

/* --- mremap */

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#define MREMAP_DONTUNMAP 4

static void move_pte(uint64_t *pte, uint64_t va, void *arg)
{
    uint64_t delta = *(uint64_t *)arg;
    /* Cannot fail: move_range made sure the tables can be had. */
    if (pt_set(vm_root(), va + delta, *pte) == 0) {
        *pte = 0;
        invlpg(vm_root(), va);
    }
}

/* Moves [old, old + len) of v to dst (free, new_len long); the pages move
 * with it. */
static long move_range(struct vma *v, uint64_t old, uint64_t len, uint64_t dst,
                       uint64_t new_len)
{
    /* A page table per 2 MiB and the three levels above, at most. */
    if (pmem_free_pages() < new_len / (2UL << 20) + 8)
        return -ENOMEM;
    uint64_t off = v->file ? v->off + (old - v->start) : 0;
    int err = vma_insert(dst, dst + new_len, v->prot, v->flags, v->file, off);
    if (err)
        return err;
    if (!len)
        return (long)dst;
    uint64_t delta = dst - old;
    pt_each(vm_root(), old, old + len, move_pte, &delta);
    err = vm_unmap_range(old, old + len);
    return err ? err : (long)dst;
}

/* Grows v, which ends at old + old_len, in place if what follows is free. */
static bool grow_in_place(struct vma *v, uint64_t old, uint64_t old_len,
                          uint64_t new_len)
{
    if (old + old_len != v->end || !user_range_ok(old, new_len) ||
        !vm_range_free(v->end, old + new_len))
        return false;
    v->end = old + new_len;
    return true;
}

long vm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
               uint64_t new_addr)
{
    if ((old & (PAGE_SIZE - 1)) || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)))
        return -EINVAL; /* MREMAP_DONTUNMAP too: not supported */
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    old_len = ALIGN_UP(old_len, PAGE_SIZE);
    new_len = ALIGN_UP(new_len, PAGE_SIZE);
    if (!new_len || !user_range_ok(old, old_len))
        return -EINVAL;
    bool fixed = flags & MREMAP_FIXED;
    if (fixed &&
        ((new_addr & (PAGE_SIZE - 1)) || !user_range_ok(new_addr, new_len) ||
         (new_addr < old + old_len && old < new_addr + new_len)))
        return -EINVAL;
    struct vma *v = vma_find(old);
    if (!v || old + old_len > v->end)
        return -EFAULT;
    /* old_len 0 duplicates a shared mapping; a private one cannot be. */
    if (!old_len && (!(v->flags & VMA_SHARED) || !v->file))
        return -EINVAL;
    if (fixed) {
        int err = vm_unmap_range(new_addr, new_addr + new_len);
        if (err)
            return err;
        v = vma_find(old); /* the unmap may have split its neighbours */
    } else if (old_len && new_len <= old_len) {
        int err = vm_unmap_range(old + new_len, old + old_len);
        return err ? err : (long)old;
    } else if (old_len && grow_in_place(v, old, old_len, new_len)) {
        return (long)old;
    } else if (!(flags & MREMAP_MAYMOVE)) {
        return -ENOMEM;
    } else if (!(new_addr = vm_find_gap(new_len))) {
        return -ENOMEM;
    }
    if (old_len > new_len) {
        int err = vm_unmap_range(old + new_len, old + old_len);
        if (err)
            return err;
        old_len = new_len;
    }
    return move_range(v, old, old_len, new_addr, new_len);
}
