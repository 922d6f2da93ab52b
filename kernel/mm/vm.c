/*
 * mm/vm.c — the program's address space: a sorted list of VMAs, each a
 * range with its protection and what backs it (anonymous memory, or a
 * file's node and offset, private or shared; mm/vma.h), whose pages appear
 * on first touch (mm/fault.c).  mmap/munmap/mprotect/brk keep Linux's
 * semantics, including MAP_FIXED over existing mappings and partial
 * unmaps that split a VMA; PROT_NONE keeps the pages, not present.  Memory
 * is committed when it is touched, not when it is mapped, as Linux does
 * with vm.overcommit_memory=1 (man 5 proc_sys_vm): no mapping is refused
 * for its size but one outside the address space.  Linux's default
 * heuristic would refuse a private writable mapping larger than RAM plus
 * swap, and so the Go runtime's 32 MiB arena index (touched a few pages
 * at a time) in any guest under 32 MiB.  A fault that finds no free page
 * kills the program with SIGKILL, as Linux's OOM killer would
 * (oom_kill in proc/thread.c; docs/ARCHITECTURE.md, "Memory").
 *
 * Address spaces: struct vm_space (mm/vma.h) is one, with its own PML4
 * (pt_root_new).  Every call here acts on the space loaded on the calling
 * CPU (vm_cur, this_cpu()->vm), which the scheduler switches to the next
 * thread's (vm_space_switch); only vm_space_create and vm_space_destroy
 * take a space, and vm_zap_file and vm_wrprotect_file reach every space.
 */
#include "fs/mount.h"
#include "mm/vma.h"
#include "proc/proc.h"

#define MAP_KNOWN 0x1fff7f

#define MMAP_TOP 0x00007f0000000000UL
#define MMAP_MIN 0x10000UL  /* like vm.mmap_min_addr */
#define DEV_ZERO_RDEV 0x105 /* makedev(1, 5) */

static struct list spaces = LIST_INIT(spaces); /* every vm_space, by link */

struct list *vm_spaces(void)
{
    return &spaces;
}

struct list *vma_list(void)
{
    return &vm_cur()->vmas;
}

static uint64_t prot_flags(int prot)
{
    uint64_t f = PTE_U | PTE_P;
    if (prot & PROT_WRITE)
        f |= PTE_W;
    if (!(prot & PROT_EXEC))
        f |= PTE_NX;
    return f;
}

uint64_t vma_pte_flags(const struct vma *v, bool foreign)
{
    if (!v->prot)
        return PTE_U | PTE_NX; /* not present: PROT_NONE keeps the page */
    uint64_t f = prot_flags(v->prot);
    if (foreign && !(v->flags & VMA_SHARED))
        f &= ~PTE_W;
    return f;
}

uint64_t vma_file_pte_flags(const struct vma *v, uint64_t va)
{
    uint64_t f = vma_pte_flags(v, true) | PTE_FOREIGN;
    if ((v->flags & VMA_SHARED) &&
        !node_page_writable(v->file->node, vma_file_index(v, va)))
        f &= ~PTE_W;
    return f;
}

uint64_t vma_pte_for(const struct vma *v, uint64_t va, uint64_t old)
{
    if (old & PTE_FOREIGN)
        return (old & PTE_ADDR) | vma_file_pte_flags(v, va);
    uint64_t f = vma_pte_flags(v, false);
    if (old & PTE_COW)
        f = (f & ~PTE_W) | PTE_COW;
    return (old & PTE_ADDR) | f;
}

/* The shared zero page (see vm_zero_page): never written, never freed. */
static uint8_t zero_page[PAGE_SIZE] __aligned(PAGE_SIZE);

uint64_t vm_zero_page(void)
{
    return virt_to_phys(zero_page);
}

void vm_account(struct vm_space *s, uint64_t pte, int sign)
{
    /* Not the program's memory, as Linux's RSS leaves it out too. */
    if ((pte & PTE_FOREIGN) && (pte & PTE_ADDR) == vm_zero_page())
        return;
    s->resident += (uint64_t)(int64_t)sign;
    if (pte & PTE_FOREIGN)
        s->resident_file += (uint64_t)(int64_t)sign;
}

int vm_pte_map(uint64_t va, uint64_t pa, uint64_t flags)
{
    int err = pt_map(vm_root(), va, pa, flags);
    if (!err)
        vm_account(vm_cur(), pa | flags, 1);
    return err;
}

void vm_pte_drop(struct vm_space *s, uint64_t *pte, uint64_t va)
{
    /* Unmapped everywhere (invlpg) before the page is freed: another CPU
     * must not write into it once it is the allocator's. */
    uint64_t old = *pte;
    *pte = 0;
    invlpg(s->pml4, va);
    if (!(old & PTE_FOREIGN))
        pmem_page_put(old & PTE_ADDR); /* shared (fork): one holder less */
    vm_account(s, old, -1);
}

struct vma *vma_find(uint64_t addr)
{
    list_for_each(l, &vm_cur()->vmas)
    {
        struct vma *v = VMA(l);
        if (addr < v->start)
            return NULL;
        if (addr < v->end)
            return v;
    }
    return NULL;
}

bool vm_range_free(uint64_t start, uint64_t end)
{
    list_for_each(l, &vm_cur()->vmas)
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
    vm_pte_drop(arg, pte, va);
}

void vm_file_put(struct vm_file *f)
{
    if (!f || --f->refs)
        return;
    /* munmap: a mounted file's shared pages go back to its backend now,
     * even while an fd keeps the file open. */
    if (f->node->mnt)
        mount_writeback(f->node);
    node_put(f->node);
    kfree(f->path);
    kfree(f);
}

int vma_split(uint64_t addr)
{
    struct vma *v = vma_find(addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *n = kmalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = *v;
    n->start = addr;
    if (n->file) {
        n->file->refs++;
        n->off += addr - v->start;
    }
    v->end = addr;
    /* Insert n right after v. */
    n->link.next = v->link.next;
    n->link.prev = &v->link;
    v->link.next->prev = &n->link;
    v->link.next = &n->link;
    vm_cur()->nvmas++;
    return 0;
}

int vm_unmap_range(uint64_t start, uint64_t end)
{
    int err = vma_split(start);
    if (!err)
        err = vma_split(end);
    if (err)
        return err;
    /* The pages go first: dropping the last VMA of an unlinked file frees
     * the file's pages. */
    struct vm_space *s = vm_cur();
    pt_each(s->pml4, start, end, unmap_pte, s);
    list_for_each(l, &s->vmas)
    {
        struct vma *v = VMA(l);
        if (v->start >= end)
            break;
        if (v->start >= start) {
            list_del(&v->link);
            vm_file_put(v->file);
            kfree(v);
            s->nvmas--;
        }
    }
    return 0;
}

int vma_insert(uint64_t start, uint64_t end, int prot, unsigned flags,
               struct vm_file *file, uint64_t off)
{
    assert(vm_range_free(start, end));
    struct vma *n = kmalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = (struct vma){.start = start,
                      .end = end,
                      .prot = prot,
                      .flags = flags,
                      .file = file,
                      .off = off};
    if (file)
        file->refs++;
    struct list *at = &vm_cur()->vmas;
    list_for_each(l, &vm_cur()->vmas)
    {
        if (VMA(l)->start > start) {
            at = l;
            break;
        }
    }
    list_add_tail(at, &n->link);
    vm_cur()->nvmas++;
    return 0;
}

int vm_map_fixed(uint64_t start, uint64_t end, int prot)
{
    return vma_insert(start, end, prot, VMA_MAYWRITE, NULL, 0);
}

uint64_t vm_find_gap(uint64_t len)
{
    uint64_t top = MMAP_TOP;
    struct list *vmas = &vm_cur()->vmas;
    for (struct list *l = vmas->prev; l != vmas; l = l->prev) {
        struct vma *v = VMA(l);
        if (v->start >= top)
            continue;
        if (v->end <= top && top - v->end >= len)
            return top - len;
        top = MIN(top, v->start);
    }
    return top >= MMAP_MIN + len ? top - len : 0;
}

/* What mapping f gives (man 2 mmap, ERRORS): 1 for a file's pages, 0 for
 * anonymous memory (/dev/zero), or EACCES / ENODEV. */
static int file_check(struct file *f, bool shared, int prot, unsigned *flags)
{
    unsigned acc = f->flags & O_ACCMODE;
    if (shared && (prot & PROT_WRITE) && acc != O_RDWR)
        return -EACCES;
    if (acc == O_WRONLY)
        return -EACCES;
    if (f->node && S_ISCHR(f->node->mode) && f->node->rdev == DEV_ZERO_RDEV)
        return 0;
    if (!file_is_regular(f) || !f->node)
        return -ENODEV;
    *flags = shared ? VMA_SHARED : VMA_MAYWRITE;
    if (acc == O_RDWR)
        *flags |= VMA_MAYWRITE;
    return 1;
}

static struct vm_file *vm_file_new(struct node *n, const char *path)
{
    struct vm_file *vf = kzalloc(sizeof(*vf));
    if (!vf)
        return NULL;
    if (path) {
        size_t len = strlen(path) + 1;
        vf->path = kmalloc(len);
        if (vf->path)
            memcpy(vf->path, path, len);
    }
    vf->refs = 1;
    vf->node = n;
    node_get(n);
    return vf;
}

int vm_map_exec(uint64_t start, uint64_t end, int prot, struct node *n,
                const char *path, uint64_t off)
{
    int err = vm_unmap_range(start, end);
    if (err)
        return err;
    struct vm_file *vf = n ? vm_file_new(n, path) : NULL;
    if (n && !vf)
        return -ENOMEM;
    err = vma_insert(start, end, prot, VMA_MAYWRITE, vf, vf ? off : 0);
    vm_file_put(vf); /* the VMA holds its own reference */
    return err;
}

/* Where the new mapping goes: addr, or 0 with *err set. */
static uint64_t place(uint64_t addr, uint64_t len, int flags, int *err)
{
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr < MMAP_MIN || !user_range_ok(addr, len)) {
            *err = addr < MMAP_MIN ? -EPERM : -ENOMEM;
            return 0;
        }
        if (!vm_range_free(addr, addr + len)) {
            if (flags & MAP_FIXED_NOREPLACE) {
                *err = -EEXIST;
                return 0;
            }
            *err = vm_unmap_range(addr, addr + len);
            if (*err)
                return 0;
        }
        return addr;
    }
    if (!addr || addr < MMAP_MIN || !user_range_ok(addr, len) ||
        !vm_range_free(addr, addr + len))
        addr = vm_find_gap(len);
    *err = addr ? 0 : -ENOMEM;
    return addr;
}

long vm_mmap(uint64_t addr, uint64_t len, int prot, int flags, struct file *f,
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
    if (len > USER_TOP)
        return -ENOMEM;
    len = ALIGN_UP(len, PAGE_SIZE);
    unsigned vflags = VMA_MAYWRITE;
    int kind = 0; /* anonymous */
    if (f && !(flags & MAP_ANONYMOUS)) {
        if (off + len < off)
            return -EOVERFLOW;
        kind = file_check(f, type != MAP_PRIVATE, prot, &vflags);
        if (kind < 0)
            return kind;
    }
    if (!kind && type != MAP_PRIVATE)
        vflags |= VMA_SHARED;
    struct vm_file *vf = kind ? vm_file_new(f->node, f->path) : NULL;
    if (kind && !vf)
        return -ENOMEM;
    int err = 0;
    addr = place(addr, len, flags, &err);
    if (!err)
        err = vma_insert(addr, addr + len, prot, vflags, vf, kind ? off : 0);
    vm_file_put(vf); /* the VMA holds its own reference */
    return err ? err : (long)addr;
}

int vm_munmap(uint64_t addr, uint64_t len)
{
    if ((addr & (PAGE_SIZE - 1)) || !len || !user_range_ok(addr, len))
        return -EINVAL;
    return vm_unmap_range(addr, addr + ALIGN_UP(len, PAGE_SIZE));
}

static void protect_pte(uint64_t *pte, uint64_t va, void *arg)
{
    *pte = vma_pte_for(arg, va, *pte);
    invlpg(vm_root(), va);
}

int vm_mprotect(uint64_t addr, uint64_t len, int prot)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    if (!len)
        return 0;
    uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (end <= addr || !user_range_ok(addr, end - addr))
        return -ENOMEM;
    /* Every page must be mapped (Linux: ENOMEM otherwise), and a shared
     * mapping of a file opened read-only never becomes writable. */
    for (uint64_t a = addr; a < end;) {
        struct vma *v = vma_find(a);
        if (!v)
            return -ENOMEM;
        if ((prot & PROT_WRITE) && !(v->flags & VMA_MAYWRITE))
            return -EACCES;
        a = v->end;
    }
    int err = vma_split(addr);
    if (!err)
        err = vma_split(end);
    if (err)
        return err;
    list_for_each(l, &vm_cur()->vmas)
    {
        struct vma *v = VMA(l);
        if (v->start >= addr && v->end <= end) {
            v->prot = prot;
            pt_each(vm_root(), v->start, v->end, protect_pte, v);
        }
    }
    return 0;
}

void vm_set_brk(uint64_t start)
{
    struct vm_space *s = vm_cur();
    s->brk_start = s->brk_end = ALIGN_UP(start, PAGE_SIZE);
}

long vm_brk(uint64_t addr)
{
    struct vm_space *s = vm_cur();
    uint64_t old = ALIGN_UP(s->brk_end, PAGE_SIZE);
    uint64_t want = ALIGN_UP(addr, PAGE_SIZE);
    if (addr < s->brk_start || addr >= MMAP_TOP)
        return s->brk_end;
    if (want > old) {
        if (!vm_range_free(old, want) || vm_map_fixed(old, want, 3))
            return s->brk_end;
    } else if (want < old) {
        vm_unmap_range(want, old);
    }
    s->brk_end = addr;
    return addr;
}

uint64_t vm_resident_pages(void)
{
    return vm_cur()->resident;
}

uint64_t vm_resident_file_pages(void)
{
    return vm_cur()->resident_file;
}

void vm_each(void (*fn)(const struct vm_area *a, void *arg), void *arg)
{
    vm_space_each(vm_cur(), fn, arg);
}

uint64_t vm_mapped_bytes(void)
{
    struct vm_info i;
    vm_space_info(vm_cur(), &i);
    return i.mapped;
}

uint64_t vm_brk_start(void)
{
    return vm_cur()->brk_start;
}

/* --- address spaces */

struct vm_space *vm_space_create(void)
{
    struct vm_space *s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    s->pml4 = pt_root_new();
    if (!s->pml4) {
        kfree(s);
        return NULL;
    }
    s->refs = 1;
    list_init(&s->vmas);
    list_add_tail(&spaces, &s->link);
    return s;
}

struct vm_space *vm_space_share(struct vm_space *s)
{
    s->refs++;
    return s;
}

void vm_space_put(struct vm_space *s)
{
    assert(s->refs > 0);
    if (!--s->refs)
        vm_space_destroy(s);
}

/* Frees a page of a space that no CPU has loaded: no TLB holds it. */
static void free_pte(uint64_t *pte, uint64_t va, void *arg)
{
    (void)va;
    if (!(*pte & PTE_FOREIGN))
        pmem_page_put(*pte & PTE_ADDR);
    vm_account(arg, *pte, -1);
    *pte = 0;
}

/* Whether a CPU other than this one has s loaded. */
static bool loaded_elsewhere(const struct vm_space *s)
{
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (c && c != this_cpu() && c->vm == s)
            return true;
    }
    return false;
}

/* The page tables and the space itself, once no CPU has it loaded. */
static void space_free(struct vm_space *s)
{
    pt_root_free(s->pml4);
    kfree(s->exe);
    kfree(s);
}

/*
 * An idle CPU keeps the last space it ran loaded (no CR3 write to go
 * idle and back).  Such a CPU touches no user address, but its CR3 still
 * points to the space's PML4, and the CPU may walk the tables below it
 * (speculatively, setting accessed bits): the pages are freed at once,
 * their entries cleared, but the tables and the PML4 wait until that CPU
 * loads another space (vm_space_switch; its idle loop does so at the
 * kick, vm_space_idle).
 */
void vm_space_destroy(struct vm_space *s)
{
    if (this_cpu()->vm == s)
        vm_space_switch(NULL);
    /* The pages go before the VMAs, as in vm_unmap_range. */
    pt_each(s->pml4, 0, USER_TOP, free_pte, s);
    assert(s->resident == 0 && s->resident_file == 0);
    while (!list_empty(&s->vmas)) {
        struct vma *v = VMA(s->vmas.next);
        list_del(&v->link);
        vm_file_put(v->file);
        kfree(v);
    }
    list_del(&s->link);
    s->dead = true;
    if (!loaded_elsewhere(s)) {
        space_free(s);
        return;
    }
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (c && c != this_cpu() && c->vm == s)
            smp_kick(c);
    }
}

void vm_space_switch(struct vm_space *s)
{
    struct cpu *c = this_cpu();
    struct vm_space *old = c->vm;
    if (old == s)
        return;
    pt_switch(s ? s->pml4 : NULL);
    c->vm = s;
    if (old && old->dead && !loaded_elsewhere(old))
        space_free(old);
}

void vm_space_idle(void)
{
    struct vm_space *s = this_cpu()->vm;
    if (s && s->dead)
        vm_space_switch(NULL);
}

struct vm_space *vm_space_current(void)
{
    return this_cpu()->vm;
}
