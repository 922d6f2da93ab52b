/*
 * mm/vm.c — the program's address space: a sorted list of VMAs, each a
 * range with its protection, whose pages appear on first touch (demand-zero
 * paging).  mmap/munmap/mprotect/madvise/brk keep Linux's semantics for
 * anonymous memory, including MAP_FIXED over existing mappings and partial
 * unmaps that split a VMA.  Memory is overcommitted, as Linux does by
 * default: a writable mapping is refused with ENOMEM only when it alone is
 * larger than eight times the RAM (Linux's own limit would be the RAM plus
 * swap, but without swap that refuses even the Go runtime's 32 MiB arena
 * index in a 16 MiB guest, which it never touches but sparsely); a fault
 * that finds no free page kills the program loudly.
 */
#include "mm/mm.h"
#include "proc/proc.h"

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_KNOWN 0x1fff7f

#define MMAP_TOP 0x00007f0000000000UL
#define MMAP_MIN 0x10000UL /* like vm.mmap_min_addr */

struct vma {
    struct list link;
    uint64_t start, end;
    int prot;
};

static struct {
    struct list vmas; /* sorted by start, non-overlapping */
    uint64_t brk_start, brk_end;
    uint64_t resident; /* pages mapped for the program */
    unsigned nvmas;
} vm;

#define VMA(l) container_of(l, struct vma, link)

void vm_init(void)
{
    list_init(&vm.vmas);
}

static uint64_t prot_flags(int prot)
{
    uint64_t f = PTE_U;
    if (prot & PROT_WRITE)
        f |= PTE_W;
    if (!(prot & PROT_EXEC))
        f |= PTE_NX;
    return f;
}

static struct vma *vma_find(uint64_t addr)
{
    list_for_each(l, &vm.vmas)
    {
        struct vma *v = VMA(l);
        if (addr < v->start)
            return NULL;
        if (addr < v->end)
            return v;
    }
    return NULL;
}

static bool range_free(uint64_t start, uint64_t end)
{
    list_for_each(l, &vm.vmas)
    {
        struct vma *v = VMA(l);
        if (v->start >= end)
            break;
        if (v->end > start)
            return false;
    }
    return true;
}

static void unmap_pte(uint64_t *pte, uint64_t va, void *arg)
{
    (void)arg;
    if (!(*pte & PTE_FOREIGN))
        pmem_free(*pte & PTE_ADDR, 0);
    *pte = 0;
    invlpg(va);
    vm.resident--;
}

static void protect_pte(uint64_t *pte, uint64_t va, void *arg)
{
    uint64_t f = *(uint64_t *)arg;
    *pte = (*pte & (PTE_ADDR | PTE_FOREIGN)) | f | PTE_P;
    /* A foreign (image) page is never made writable in place. */
    if (*pte & PTE_FOREIGN)
        *pte &= ~PTE_W;
    invlpg(va);
}

/* Splits the VMA containing addr so that one starts exactly at addr. */
static int split_at(uint64_t addr)
{
    struct vma *v = vma_find(addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *n = kmalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->start = addr;
    n->end = v->end;
    n->prot = v->prot;
    v->end = addr;
    /* Insert n right after v. */
    n->link.next = v->link.next;
    n->link.prev = &v->link;
    v->link.next->prev = &n->link;
    v->link.next = &n->link;
    vm.nvmas++;
    return 0;
}

static int unmap_range(uint64_t start, uint64_t end)
{
    int err = split_at(start);
    if (!err)
        err = split_at(end);
    if (err)
        return err;
    list_for_each(l, &vm.vmas)
    {
        struct vma *v = VMA(l);
        if (v->start >= end)
            break;
        if (v->start >= start) {
            list_del(&v->link);
            kfree(v);
            vm.nvmas--;
        }
    }
    pt_each(start, end, unmap_pte, NULL);
    return 0;
}

int vm_map_fixed(uint64_t start, uint64_t end, int prot)
{
    assert(range_free(start, end));
    struct vma *n = kmalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->start = start;
    n->end = end;
    n->prot = prot;
    struct list *at = &vm.vmas;
    list_for_each(l, &vm.vmas)
    {
        if (VMA(l)->start > start) {
            at = l;
            break;
        }
    }
    list_add_tail(at, &n->link);
    vm.nvmas++;
    return 0;
}

/* Highest free gap of len bytes below MMAP_TOP. */
static uint64_t find_gap(uint64_t len)
{
    uint64_t top = MMAP_TOP;
    for (struct list *l = vm.vmas.prev; l != &vm.vmas; l = l->prev) {
        struct vma *v = VMA(l);
        if (v->start >= top)
            continue;
        if (v->end <= top && top - v->end >= len)
            return top - len;
        top = MIN(top, v->start);
    }
    return top >= MMAP_MIN + len ? top - len : 0;
}

long vm_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd,
             uint64_t off)
{
    int type = flags & MAP_TYPE;
    if (!len || (addr & (PAGE_SIZE - 1)) || (off & (PAGE_SIZE - 1)))
        return -EINVAL;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != 3)
        return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (type == 3 && (flags & ~MAP_KNOWN))
        return -EOPNOTSUPP;
    if (!(flags & MAP_ANONYMOUS))
        return fd < 0 ? -EBADF : -ENODEV;
    if (len > USER_TOP)
        return -ENOMEM;
    len = ALIGN_UP(len, PAGE_SIZE);
    if ((prot & PROT_WRITE) && len / PAGE_SIZE > 8 * pmem_total_pages())
        return -ENOMEM;

    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    if (fixed) {
        if (!user_range_ok(addr, len) || addr < MMAP_MIN)
            return addr < MMAP_MIN ? -EPERM : -ENOMEM;
        if (!range_free(addr, addr + len)) {
            if (flags & MAP_FIXED_NOREPLACE)
                return -EEXIST;
            int err = unmap_range(addr, addr + len);
            if (err)
                return err;
        }
    } else if (!addr || addr < MMAP_MIN || !user_range_ok(addr, len) ||
               !range_free(addr, addr + len)) {
        addr = find_gap(len);
        if (!addr)
            return -ENOMEM;
    }
    int err = vm_map_fixed(addr, addr + len, prot);
    return err ? err : (long)addr;
}

int vm_munmap(uint64_t addr, uint64_t len)
{
    if ((addr & (PAGE_SIZE - 1)) || !len || !user_range_ok(addr, len))
        return -EINVAL;
    return unmap_range(addr, addr + ALIGN_UP(len, PAGE_SIZE));
}

int vm_mprotect(uint64_t addr, uint64_t len, int prot)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    len = ALIGN_UP(len, PAGE_SIZE);
    if (!user_range_ok(addr, len))
        return -ENOMEM;
    uint64_t end = addr + len;
    /* Every page must be mapped (Linux: ENOMEM otherwise). */
    for (uint64_t a = addr; a < end;) {
        struct vma *v = vma_find(a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    int err = split_at(addr);
    if (!err)
        err = split_at(end);
    if (err)
        return err;
    list_for_each(l, &vm.vmas)
    {
        struct vma *v = VMA(l);
        if (v->start >= addr && v->end <= end)
            v->prot = prot;
    }
    uint64_t f = prot_flags(prot);
    if (prot == 0)
        pt_each(addr, end, unmap_pte, NULL);
    else
        pt_each(addr, end, protect_pte, &f);
    return 0;
}

int vm_madvise(uint64_t addr, uint64_t len, int advice)
{
    enum { DONTNEED = 4, FREE = 8, REMOVE = 9 };
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    len = ALIGN_UP(len, PAGE_SIZE);
    if (!user_range_ok(addr, len))
        return -EINVAL;
    if (advice < 0 || advice > 101)
        return -EINVAL;
    if (advice == DONTNEED || advice == FREE || advice == REMOVE)
        pt_each(addr, addr + len, unmap_pte, NULL);
    return 0;
}

void vm_set_brk(uint64_t start)
{
    vm.brk_start = vm.brk_end = ALIGN_UP(start, PAGE_SIZE);
}

long vm_brk(uint64_t addr)
{
    uint64_t old = ALIGN_UP(vm.brk_end, PAGE_SIZE);
    uint64_t want = ALIGN_UP(addr, PAGE_SIZE);
    if (addr < vm.brk_start || addr >= MMAP_TOP)
        return vm.brk_end;
    if (want > old) {
        if (!range_free(old, want) || vm_map_fixed(old, want, 3))
            return vm.brk_end;
    } else if (want < old) {
        unmap_range(want, old);
    }
    vm.brk_end = addr;
    return addr;
}

int vm_install(uint64_t va, uint64_t pa, bool foreign)
{
    struct vma *v = vma_find(va);
    assert(v);
    uint64_t f = prot_flags(v->prot) | (foreign ? PTE_FOREIGN : 0);
    if (foreign)
        f &= ~PTE_W;
    int err = pt_map(va, pa, f);
    if (!err)
        vm.resident++;
    return err;
}

int vm_fault(uint64_t addr, uint64_t err)
{
    enum { PF_PRESENT = 1, PF_WRITE = 2, PF_FETCH = 16 };
    struct vma *v = vma_find(addr);
    if (!v)
        return -EFAULT;
    if ((err & PF_WRITE)   ? !(v->prot & PROT_WRITE)
        : (err & PF_FETCH) ? !(v->prot & PROT_EXEC)
                           : !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EACCES;
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    uint64_t *pte = pt_lookup(va);
    if (pte && (*pte & PTE_P)) {
        /* Present and allowed: a write to a foreign (image) page gets a
         * private copy; anything else is a stale entry. */
        if ((err & PF_WRITE) && (*pte & PTE_FOREIGN)) {
            uint64_t pa = pmem_alloc(0);
            if (!pa)
                return -ENOMEM;
            memcpy(phys_to_virt(pa), phys_to_virt(*pte & PTE_ADDR), PAGE_SIZE);
            *pte = pa | prot_flags(v->prot) | PTE_P;
        } else {
            *pte =
                (*pte & (PTE_ADDR | PTE_FOREIGN)) | prot_flags(v->prot) | PTE_P;
            if (*pte & PTE_FOREIGN)
                *pte &= ~PTE_W;
        }
        invlpg(va);
        return 0;
    }
    uint64_t pa = pmem_alloc_zeroed(0);
    if (!pa)
        return -ENOMEM;
    int r = pt_map(va, pa, prot_flags(v->prot));
    if (r) {
        pmem_free(pa, 0);
        return r;
    }
    vm.resident++;
    return 0;
}

uint64_t vm_resident_pages(void)
{
    return vm.resident;
}

void vm_each(void (*fn)(uint64_t start, uint64_t end, int prot, void *arg),
             void *arg)
{
    list_for_each(l, &vm.vmas)
    {
        struct vma *v = VMA(l);
        fn(v->start, v->end, v->prot, arg);
    }
}

uint64_t vm_mapped_bytes(void)
{
    uint64_t total = 0;
    list_for_each(l, &vm.vmas) total += VMA(l)->end - VMA(l)->start;
    return total;
}

uint64_t vm_brk_start(void)
{
    return vm.brk_start;
}
