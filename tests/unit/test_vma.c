/*
 * tests/unit/test_vma.c — the program's address space (kernel/mm/vm.c and
 * the mremap/madvise/msync of kernel/mm/vmops.c, built for the host over
 * a page table of the test's own): random MAP_FIXED mmaps, munmaps,
 * mprotects and page touches over a window, checked after every step
 * against a model that gives each page its protection and the VMA it
 * belongs to (VMAs split, never merge), every page freed exactly once;
 * then the edges: lengths that wrap when rounded up, ranges at USER_TOP
 * and past it, zero lengths, a failed allocation in the middle of a
 * split, file mappings' offsets and references, brk, and mremap; and
 * fork's copy (mm/fork.c) with each of its allocations failing in turn.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mm/fork.c"
#include "mm/vm.c"
#include "mm/vmops.c"
#include "mm/vmview.c"

#include "check.h"
#include "kshim.c"
#include "heap.c"
#include "uaccess.c"

/* --- the page table: leaf entries in a table of the test's own ------- */

#define NPTE 4096
#define NROOTS 2 /* a space and its fork's copy */

static struct {
    uint64_t *root;
    uint64_t va, pte; /* pte 0: a free slot */
} ptes[NPTE];
static uint8_t live_page[1 << 16]; /* fake frames handed out: holders */
static uint64_t next_frame = 1;

static uint64_t *pte_slot(uint64_t *root, uint64_t va, bool make)
{
    for (int i = 0; i < NPTE; i++)
        if (ptes[i].pte && ptes[i].root == root && ptes[i].va == va)
            return &ptes[i].pte;
    if (!make)
        return NULL;
    for (int i = 0; i < NPTE; i++)
        if (!ptes[i].pte) {
            ptes[i].root = root;
            ptes[i].va = va;
            return &ptes[i].pte;
        }
    panic("test page table full");
}

/* The roots are checked, not used: at most NROOTS spaces at a time. */
static uint64_t test_roots[NROOTS][512];
static bool root_used[NROOTS];
static int roots;

static bool root_ok(uint64_t *root)
{
    for (int i = 0; i < NROOTS; i++)
        if (root == test_roots[i])
            return root_used[i];
    return false;
}

uint64_t *pt_root_new(void)
{
    for (int i = 0; i < NROOTS; i++)
        if (!root_used[i]) {
            root_used[i] = true;
            roots++;
            return test_roots[i];
        }
    CHECK(!"too many spaces");
    return NULL;
}

void pt_root_free(uint64_t *root)
{
    CHECK(root_ok(root));
    for (int i = 0; i < NPTE; i++)
        CHECK(!ptes[i].pte || ptes[i].root != root); /* the leaves went first */
    root_used[(root - test_roots[0]) / 512] = false;
    roots--;
}

void pt_switch(uint64_t *root)
{
    CHECK(!root || root_ok(root));
}

/* pt_set fails (a table not to be had) after pt_set_left more calls
 * when that is not negative. */
static int pt_set_left = -1;

int pt_set(uint64_t *root, uint64_t va, uint64_t entry)
{
    CHECK(root_ok(root));
    if (pt_set_left >= 0 && pt_set_left-- == 0)
        return -ENOMEM;
    *pte_slot(root, va, true) = entry;
    return 0;
}

int pt_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags)
{
    CHECK(!(va & (PAGE_SIZE - 1)) && va < USER_TOP);
    return pt_set(root, va, pa | flags);
}

uint64_t *pt_lookup(uint64_t *root, uint64_t va)
{
    CHECK(root_ok(root));
    return pte_slot(root, va, false);
}

static uint64_t *lookup(uint64_t va)
{
    return pt_lookup(vm_root(), va);
}

void pt_each(uint64_t *root, uint64_t start, uint64_t end,
             void (*fn)(uint64_t *pte, uint64_t va, void *arg), void *arg)
{
    CHECK(root_ok(root));
    for (int i = 0; i < NPTE; i++)
        if (ptes[i].pte && ptes[i].root == root && ptes[i].va >= start &&
            ptes[i].va < end)
            fn(&ptes[i].pte, ptes[i].va, arg);
}

/* A fake frame (no memory behind it); pmem_left as pt_set_left. */
static int pmem_left = -1;

uint64_t pmem_alloc(unsigned order)
{
    CHECK(order == 0 && next_frame < ARRAY_SIZE(live_page));
    if (pmem_left >= 0 && pmem_left-- == 0)
        return 0;
    live_page[next_frame] = 1;
    return next_frame++ << PAGE_SHIFT;
}

uint64_t pmem_alloc_zeroed(unsigned order)
{
    return pmem_alloc(order);
}

void pmem_free(uint64_t pa, unsigned order)
{
    uint64_t frame = pa >> PAGE_SHIFT;
    CHECK(order == 0 && frame < ARRAY_SIZE(live_page));
    CHECK(live_page[frame] == 1); /* freed once, by its last holder */
    live_page[frame] = 0;
}

bool pmem_page_get(uint64_t pa)
{
    uint8_t *h = &live_page[pa >> PAGE_SHIFT];
    CHECK(*h);
    if (*h == 128)
        return false;
    (*h)++;
    return true;
}

void pmem_page_put(uint64_t pa)
{
    uint8_t *h = &live_page[pa >> PAGE_SHIFT];
    CHECK(*h);
    if (*h == 1)
        pmem_free(pa, 0);
    else
        (*h)--;
}

bool pmem_page_shared(uint64_t pa)
{
    return live_page[pa >> PAGE_SHIFT] > 1;
}

uint64_t pmem_total_pages(void)
{
    return 4096;
}

uint64_t pmem_free_pages(void)
{
    return 1024;
}

uint64_t pmem_max_phys(void)
{
    return pmem_total_pages() << PAGE_SHIFT;
}

/* --- the rest of the kernel that vm.c and vmops.c call --------------- */

static int node_refs;

void node_get(struct node *n)
{
    n->refs++;
    node_refs++;
}

void node_put(struct node *n)
{
    CHECK(n->refs > 0);
    n->refs--;
    node_refs--;
}

bool file_is_regular(struct file *f)
{
    return f->node && S_ISREG(f->node->mode);
}

int vm_fault(uint64_t addr, uint64_t err)
{
    return vma_find(addr) ? 0 : -EFAULT;
}

/* The files here are the tree's, never a mount's. */
int mount_writeback(struct node *n)
{
    CHECK(!n->mnt);
    return 0;
}

int mount_fsync(struct node *n)
{
    CHECK(!n->mnt);
    return 0;
}

void mount_balance_dirty(void)
{
}

/* The tree's files' pages are their own: writable in place. */
bool node_page_writable(const struct node *n, uint64_t idx)
{
    return true;
}

int node_punch(struct node *n, uint64_t from, uint64_t to)
{
    return 0;
}

/* A page is touched: the fault handler would give it a frame. */
static void touch(uint64_t va)
{
    struct vma *v = vma_find(va);
    if (!v || lookup(va))
        return;
    uint64_t pa = pmem_alloc(0);
    CHECK_EQ(vm_pte_map(va, pa, vma_pte_flags(v, false)), 0);
}

/* --- the model ------------------------------------------------------- */

#define MAP_ANON_FIXED (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)
#define BASE 0x10000000UL
#define NPAGES 48
#define PG(i) (BASE + (uint64_t)(i)*PAGE_SIZE)

static struct {
    int prot; /* -1: not mapped */
    int id;   /* pages of one VMA share it (and are contiguous) */
} model[NPAGES];
static int next_id = 1;
struct expect {
    int i; /* next page of the model */
    bool ok;
};

/* vm_each's mappings must be the model's runs of one id, in order. */
static void each_area(const struct vm_area *a, void *arg)
{
    struct expect *e = arg;
    if (a->start < BASE || a->end > PG(NPAGES))
        return; /* another test's mapping outside the window */
    while (e->i < NPAGES && model[e->i].prot < 0)
        e->i++;
    int i = e->i, j = i;
    while (j < NPAGES && model[j].id == model[i].id && model[i].prot >= 0)
        j++;
    if (i == NPAGES || a->start != PG(i) || a->end != PG(j) ||
        a->prot != model[i].prot) {
        e->ok = false;
        fprintf(stderr, "vma [%#lx, %#lx) prot %d; model: page %d..%d\n",
                a->start, a->end, a->prot, i, j);
    }
    e->i = j;
}

static bool check_model(void)
{
    struct expect e = {0, true};
    vm_each(each_area, &e);
    while (e.i < NPAGES && model[e.i].prot < 0)
        e.i++;
    if (e.i != NPAGES)
        e.ok = false;
    /* The list: sorted, aligned, non-empty, counted. */
    uint64_t prev_end = 0;
    unsigned n = 0;
    list_for_each(l, vma_list())
    {
        struct vma *v = VMA(l);
        if (v->start < prev_end || v->start >= v->end ||
            ((v->start | v->end) & (PAGE_SIZE - 1)))
            e.ok = false;
        prev_end = v->end;
        n++;
    }
    if (n != vm_cur()->nvmas)
        e.ok = false;
    /* Pages only where mapped, with the protection of their VMA. */
    for (int k = 0; k < NPTE; k++) {
        if (!ptes[k].pte || ptes[k].va < BASE || ptes[k].va >= PG(NPAGES))
            continue;
        int p = (ptes[k].va - BASE) / PAGE_SIZE;
        struct vma *v = vma_find(ptes[k].va);
        if (model[p].prot < 0 || !v ||
            (ptes[k].pte & ~PTE_ADDR) != vma_pte_flags(v, false))
            e.ok = false;
    }
    return e.ok;
}

/* Pages [i, j) become a new mapping, or each VMA's part of them a VMA of
 * its own (new ids, one per old id), or unmapped. */
static void model_set(int i, int j, int prot, bool fresh)
{
    int id = next_id++, prev_old = model[i].id;
    for (int k = i; k < j; k++) {
        /* mprotect: each old VMA's part gets an id of its own. */
        if (!fresh && prot >= 0 && model[k].id != prev_old)
            id = next_id++;
        prev_old = model[k].id;
        model[k].id = id;
        model[k].prot = prot;
    }
}

static bool model_all_mapped(int i, int j)
{
    for (int k = i; k < j; k++)
        if (model[k].prot < 0)
            return false;
    return true;
}

static void random_ops(int steps)
{
    for (int k = 0; k < NPAGES; k++)
        model[k].prot = -1;
    for (int step = 0; step < steps; step++) {
        int i = kshim_random(NPAGES), j = i + 1 + kshim_random(NPAGES - i);
        uint64_t len = PG(j) - PG(i);
        int prot = kshim_random(8), op = kshim_random(5);
        long r;
        switch (op) {
        case 0:
            r = vm_mmap(PG(i), len, prot, MAP_ANON_FIXED, NULL, 0);
            CHECK_EQ(r, PG(i));
            model_set(i, j, prot, true);
            break;
        case 1: /* a length short of the last page still covers it */
            r = vm_munmap(PG(i), len - kshim_random(PAGE_SIZE));
            CHECK_EQ(r, 0);
            model_set(i, j, -1, true);
            break;
        case 2:
            r = vm_mprotect(PG(i), len - kshim_random(PAGE_SIZE), prot);
            if (model_all_mapped(i, j)) {
                CHECK_EQ(r, 0);
                model_set(i, j, prot, false);
            } else {
                CHECK_EQ(r, -ENOMEM);
            }
            break;
        case 3:
            r = vm_mmap(PG(i), len, prot,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, NULL,
                        0);
            bool was_free = true;
            for (int k = i; k < j; k++)
                was_free &= model[k].prot < 0;
            CHECK_EQ(r, was_free ? (long)PG(i) : -EEXIST);
            if (was_free)
                model_set(i, j, prot, true);
            break;
        default:
            for (int k = 0; k < 4; k++)
                touch(PG(kshim_random(NPAGES)));
        }
        if (!check_model()) {
            CHECK(!"the VMAs differ from the model");
            fprintf(stderr, "step %d: op %d pages [%d, %d) prot %d\n", step, op,
                    i, j, prot);
            return;
        }
    }
    CHECK_EQ(vm_munmap(BASE, NPAGES * PAGE_SIZE), 0);
}

#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define TOP_PAGE (USER_TOP - PAGE_SIZE)

/* Lengths that wrap when rounded up to pages, and ranges at and past the
 * top of user space. */
static void huge_lengths(void)
{
    CHECK_EQ(vm_mmap(0, UINT64_MAX, PROT_READ, ANON, NULL, 0), -ENOMEM);
    CHECK_EQ(vm_mmap(0, UINT64_MAX - 4094, PROT_READ, ANON, NULL, 0), -ENOMEM);
    CHECK_EQ(vm_mmap(0, USER_TOP + 1, PROT_READ, ANON, NULL, 0), -ENOMEM);
    CHECK_EQ(vm_mmap(BASE, UINT64_MAX, PROT_READ, MAP_ANON_FIXED, NULL, 0),
             -ENOMEM);
    CHECK_EQ(vm_mmap(0, 0, PROT_READ, ANON, NULL, 0), -EINVAL);
    /* Far larger than RAM, writable or not: memory is committed when it
     * is touched (mm/vm.c), so both are mapped. */
    for (int prot = PROT_READ; prot <= PROT_WRITE; prot++) {
        long big = vm_mmap(0, 1UL << 46, prot, ANON, NULL, 0);
        CHECK(big > 0 && big + (1L << 46) <= (long)MMAP_TOP);
        CHECK_EQ(vm_munmap(big, 1UL << 46), 0);
    }

    /* The last page of user space, and one past it. */
    CHECK_EQ(vm_mmap(TOP_PAGE, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0),
             TOP_PAGE);
    CHECK_EQ(vm_mmap(TOP_PAGE, 2 * PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0),
             -ENOMEM);
    CHECK_EQ(vm_mmap(USER_TOP, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0), -ENOMEM);
    CHECK_EQ(
        vm_mmap(UINT64_MAX & ~0xfffUL, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0),
        -ENOMEM);
    /* A hint that would wrap is only a hint. */
    long r = vm_mmap(UINT64_MAX & ~0xfffUL, 2 * PAGE_SIZE, 1, ANON, NULL, 0);
    CHECK(r > 0 && (uint64_t)r < MMAP_TOP);
    CHECK_EQ(vm_munmap(r, 2 * PAGE_SIZE), 0);
    CHECK_EQ(vm_mmap(0, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0), -EPERM);
    CHECK_EQ(
        vm_mmap(MMAP_MIN - PAGE_SIZE, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0),
        -EPERM);

    touch(TOP_PAGE);
    CHECK_EQ(vm_mprotect(TOP_PAGE, UINT64_MAX, 3), -ENOMEM);
    CHECK_EQ(vm_mprotect(TOP_PAGE, UINT64_MAX - 4094, 3), -ENOMEM);
    CHECK_EQ(vm_mprotect(TOP_PAGE, 2 * PAGE_SIZE, 3), -ENOMEM);
    CHECK_EQ(vm_mprotect(TOP_PAGE, 1, 3), 0);
    CHECK_EQ(vm_mprotect(TOP_PAGE, 0, 3), 0);
    CHECK_EQ(vm_mprotect(BASE, 0, 3), 0); /* nothing there, nothing asked */
    CHECK_EQ(vm_mprotect(TOP_PAGE + 1, 1, 3), -EINVAL);
    CHECK_EQ(vm_mprotect(TOP_PAGE, 1, 8), -EINVAL);
    CHECK_EQ(vm_madvise(TOP_PAGE, UINT64_MAX, 4), -EINVAL);
    CHECK_EQ(vm_madvise(TOP_PAGE, 2 * PAGE_SIZE, 4), -ENOMEM);
    CHECK_EQ(vm_madvise(TOP_PAGE, 0, 4), 0);
    CHECK_EQ(vm_madvise(TOP_PAGE, PAGE_SIZE, 4), 0); /* DONTNEED drops it */
    CHECK(lookup(TOP_PAGE) == NULL);
    /* Linux rounds the length up to 0 and has nothing to do (checked
     * natively), where mprotect says ENOMEM and madvise EINVAL. */
    CHECK_EQ(vm_msync(TOP_PAGE, UINT64_MAX, 0), 0);
    CHECK_EQ(vm_msync(TOP_PAGE, UINT64_MAX - 4096, 0), -ENOMEM);
    CHECK_EQ(vm_msync(TOP_PAGE, PAGE_SIZE, 0), 0);

    CHECK_EQ(vm_munmap(TOP_PAGE, UINT64_MAX), -EINVAL);
    CHECK_EQ(vm_munmap(TOP_PAGE, UINT64_MAX - 4094), -EINVAL);
    CHECK_EQ(vm_munmap(TOP_PAGE, PAGE_SIZE + 1), -EINVAL);
    CHECK_EQ(vm_munmap(TOP_PAGE, 0), -EINVAL);
    CHECK_EQ(vm_munmap(TOP_PAGE + 1, 1), -EINVAL);
    CHECK_EQ(vm_munmap(USER_TOP, PAGE_SIZE), -EINVAL);
    CHECK_EQ(vm_munmap(TOP_PAGE, 1), 0);
    CHECK(vma_find(TOP_PAGE) == NULL);
}

/* A split that cannot get its VMA leaves every page as it was. */
static void split_fails(void)
{
    CHECK_EQ(vm_mmap(PG(0), 8 * PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0), PG(0));
    for (int i = 0; i < 8; i++)
        touch(PG(i));
    unsigned n = vm_cur()->nvmas;
    kshim_kmalloc_fail = 1;
    CHECK_EQ(vm_munmap(PG(2), 2 * PAGE_SIZE), -ENOMEM);
    kshim_kmalloc_fail = 1;
    CHECK_EQ(vm_mprotect(PG(2), 2 * PAGE_SIZE, 1), -ENOMEM);
    for (int i = 0; i < 8; i++) {
        struct vma *v = vma_find(PG(i));
        CHECK(v && v->prot == 3 && lookup(PG(i)));
    }
    CHECK(vm_cur()->nvmas <= n + 1);
    kshim_kmalloc_fail = 0;
    CHECK_EQ(vm_munmap(PG(0), 8 * PAGE_SIZE), 0);
    CHECK_EQ(vm_cur()->nvmas, n - 1);
}

/* A file mapping split in three: offsets follow, references balance. */
static void file_mapping(void)
{
    struct node node = {.mode = S_IFREG | 0644, .ino = 77, .nlink = 1};
    struct file f = {.flags = O_RDWR, .node = &node, .path = "/data"};
    int refs0 = node_refs;
    long r = vm_mmap(PG(0), 6 * PAGE_SIZE, 3, MAP_SHARED | MAP_FIXED, &f,
                     16 * PAGE_SIZE);
    CHECK_EQ(r, PG(0));
    CHECK_EQ(node_refs, refs0 + 1);
    CHECK_EQ(vm_munmap(PG(2), PAGE_SIZE), 0);
    CHECK_EQ(vm_mprotect(PG(4), PAGE_SIZE, 1), 0);
    struct vma *v = vma_find(PG(3));
    CHECK(v && v->start == PG(3) && v->off == 19 * PAGE_SIZE);
    CHECK_EQ(vma_file_index(v, PG(3)), 19);
    v = vma_find(PG(5));
    CHECK(v && v->off == 21 * PAGE_SIZE &&
          v->file == vma_find(0 + PG(0))->file);
    CHECK_EQ(v->file->refs, 4);
    CHECK_EQ(node_refs, refs0 + 1); /* one node reference for all */
    /* Read-only file: MAP_SHARED with PROT_WRITE refused, and mprotect
     * cannot add it later. */
    f.flags = O_RDONLY;
    CHECK_EQ(vm_mmap(PG(8), PAGE_SIZE, 3, MAP_SHARED | MAP_FIXED, &f, 0),
             -EACCES);
    CHECK_EQ(vm_mmap(PG(8), PAGE_SIZE, 1, MAP_SHARED | MAP_FIXED, &f, 0),
             PG(8));
    CHECK_EQ(vm_mprotect(PG(8), PAGE_SIZE, 3), -EACCES);
    /* An offset that wraps with the length. */
    CHECK_EQ(
        vm_mmap(0, 2 * PAGE_SIZE, 1, MAP_PRIVATE, &f, UINT64_MAX & ~0xfffUL),
        -EOVERFLOW);
    CHECK_EQ(vm_mmap(0, PAGE_SIZE, 1, MAP_PRIVATE, &f, 1), -EINVAL);
    struct node dir = {.mode = S_IFDIR | 0755};
    struct file d = {.flags = O_RDONLY, .node = &dir};
    CHECK_EQ(vm_mmap(0, PAGE_SIZE, 1, MAP_PRIVATE, &d, 0), -ENODEV);
    CHECK_EQ(vm_munmap(PG(0), 16 * PAGE_SIZE), 0);
    CHECK_EQ(node_refs, refs0);
    CHECK_EQ(node.refs, 0);
}

static void brk(void)
{
    uint64_t start = PG(20) + 100;
    vm_set_brk(start);
    uint64_t b = ALIGN_UP(start, PAGE_SIZE);
    CHECK_EQ(vm_brk(0), b);
    CHECK_EQ(vm_brk(b - 1), b); /* below the start: unchanged */
    CHECK_EQ(vm_brk(b + 5000), b + 5000);
    CHECK(vma_find(b + PAGE_SIZE) && !vma_find(b + 2 * PAGE_SIZE));
    touch(b + PAGE_SIZE);
    /* Into a mapping: refused. */
    CHECK_EQ(vm_mmap(b + 3 * PAGE_SIZE, PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0),
             b + 3 * PAGE_SIZE);
    CHECK_EQ(vm_brk(b + 4 * PAGE_SIZE), b + 5000);
    CHECK_EQ(vm_brk(UINT64_MAX), b + 5000);
    CHECK_EQ(vm_brk(UINT64_MAX - 100), b + 5000);
    CHECK_EQ(vm_brk(b), b); /* shrinks: the page goes */
    CHECK(!vma_find(b) && !lookup(b + PAGE_SIZE));
    CHECK_EQ(vm_munmap(b + 3 * PAGE_SIZE, PAGE_SIZE), 0);
}

static void mremap(void)
{
    enum { MAYMOVE = 1, FIXED = 2 };
    CHECK_EQ(vm_mmap(PG(0), 4 * PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0), PG(0));
    touch(PG(1));
    uint64_t pa = *lookup(PG(1)) & PTE_ADDR;
    CHECK_EQ(vm_mremap(PG(0), UINT64_MAX, PAGE_SIZE, 0, 0), -EINVAL);
    CHECK_EQ(vm_mremap(PG(0), PAGE_SIZE, UINT64_MAX, MAYMOVE, 0), -EINVAL);
    CHECK_EQ(vm_mremap(PG(0), 8 * PAGE_SIZE, PAGE_SIZE, 0, 0), -EFAULT);
    CHECK_EQ(vm_mremap(TOP_PAGE, PAGE_SIZE, 2 * PAGE_SIZE, 0, 0), -EFAULT);
    /* Grows in place into free space, not into a mapping. */
    CHECK_EQ(vm_mremap(PG(0), 4 * PAGE_SIZE, 6 * PAGE_SIZE, 0, 0), PG(0));
    CHECK_EQ(vm_mmap(PG(6), PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0), PG(6));
    CHECK_EQ(vm_mremap(PG(0), 6 * PAGE_SIZE, 8 * PAGE_SIZE, 0, 0), -ENOMEM);
    /* Fixed: not overlapping itself, and the page moves with it. */
    CHECK_EQ(
        vm_mremap(PG(0), 6 * PAGE_SIZE, 6 * PAGE_SIZE, MAYMOVE | FIXED, PG(3)),
        -EINVAL);
    CHECK_EQ(vm_mremap(PG(0), 6 * PAGE_SIZE, 6 * PAGE_SIZE, MAYMOVE | FIXED,
                       TOP_PAGE),
             -EINVAL);
    CHECK_EQ(
        vm_mremap(PG(0), 6 * PAGE_SIZE, 2 * PAGE_SIZE, MAYMOVE | FIXED, PG(10)),
        PG(10));
    CHECK(!vma_find(PG(0)) && !vma_find(PG(1)));
    CHECK(lookup(PG(11)) && (*lookup(PG(11)) & PTE_ADDR) == pa);
    /* Moves elsewhere when it cannot grow. */
    CHECK_EQ(vm_mmap(PG(12), PAGE_SIZE, 1, MAP_ANON_FIXED, NULL, 0), PG(12));
    long r = vm_mremap(PG(10), 2 * PAGE_SIZE, 3 * PAGE_SIZE, MAYMOVE, 0);
    CHECK(r > 0 && (uint64_t)r != PG(10));
    CHECK(lookup(r + PAGE_SIZE) && (*lookup(r + PAGE_SIZE) & PTE_ADDR) == pa);
    CHECK(!vma_find(PG(10)));
    /* Shrinks in place. */
    CHECK_EQ(vm_mremap(r, 3 * PAGE_SIZE, PAGE_SIZE, 0, 0), r);
    CHECK(!lookup(r + PAGE_SIZE) && !vma_find(r + PAGE_SIZE));
    CHECK_EQ(vm_munmap(r, PAGE_SIZE), 0);
    CHECK_EQ(vm_munmap(PG(0), NPAGES * PAGE_SIZE), 0);
}

/* A space with anonymous and file pages mapped, destroyed while loaded:
 * every page, VMA, file reference and the space itself freed, and the
 * kernel's tables loaded in its place. */
static void space_destroy(void)
{
    struct vm_space *s = vm_space_create();
    CHECK(s);
    vm_space_switch(s);
    CHECK(vm_space_current() == s);
    CHECK_EQ(vm_mmap(PG(0), 4 * PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0), PG(0));
    struct node n = {.mode = S_IFREG | 0644};
    struct file f = {.node = &n, .flags = O_RDWR};
    CHECK_EQ(vm_mmap(PG(8), 2 * PAGE_SIZE, 3, MAP_PRIVATE | MAP_FIXED, &f, 0),
             PG(8));
    CHECK_EQ(vm_mprotect(PG(1), PAGE_SIZE, 1), 0); /* a split */
    for (int i = 0; i < 4; i++)
        touch(PG(i));
    touch(PG(8));
    CHECK_EQ(vm_resident_pages(), 5);
    vm_space_destroy(s);
    CHECK(vm_space_current() == NULL);
    CHECK_EQ(node_refs, 0);
    CHECK_EQ(roots, 0);
}

/* A space shared by two processes (vfork) outlives the first put: its
 * pages stay until the last. */
static void space_share(void)
{
    struct vm_space *s = vm_space_create();
    CHECK(s);
    vm_space_switch(s);
    CHECK_EQ(vm_mmap(PG(0), PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0), PG(0));
    touch(PG(0));
    CHECK(vm_space_share(s) == s);
    vm_space_put(s);
    CHECK(vm_space_current() == s);
    CHECK_EQ(vm_resident_pages(), 1);
    CHECK_EQ(roots, 1);
    vm_space_put(s);
    CHECK(vm_space_current() == NULL);
    CHECK_EQ(roots, 0);
}

/* /proc/PID's view of a space (vmview.c): bytes read through its page
 * tables across a page boundary, ending at the first page not present
 * (nothing faulted in) and at an address nothing maps; what exec
 * recorded comes back from vm_space_info. */
static void space_view(void)
{
    kshim_ram = calloc(1, pmem_max_phys());
    CHECK(kshim_ram);
    struct vm_space *s = vm_space_create();
    CHECK(s);
    vm_space_switch(s);
    CHECK_EQ(vm_mmap(PG(0), 3 * PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0), PG(0));
    touch(PG(0));
    touch(PG(1));
    for (int i = 0; i < 2; i++)
        memset(phys_to_virt(*lookup(PG(i)) & PTE_ADDR), 'a' + i, PAGE_SIZE);
    char buf[300];
    CHECK_EQ(vm_space_read(s, PG(1) - 100, buf, 200), 200);
    CHECK(buf[0] == 'a' && buf[99] == 'a' && buf[100] == 'b' &&
          buf[199] == 'b');
    CHECK_EQ(vm_space_read(s, PG(2) - 100, buf, 300), 100);
    CHECK(lookup(PG(2)) == NULL);
    CHECK_EQ(vm_space_read(s, PG(40), buf, 10), 0);
    vm_set_exec("/bin/prog", PG(0), PG(0) + 10, PG(0) + 10, PG(0) + 20);
    struct vm_info i;
    vm_space_info(s, &i);
    CHECK(i.exe && !strcmp(i.exe, "/bin/prog"));
    CHECK(i.arg_start == PG(0) && i.env_end == PG(0) + 20);
    CHECK_EQ(i.resident, 2);
    CHECK_EQ(i.mapped, 3 * PAGE_SIZE);
    vm_space_destroy(s);
    free(kshim_ram);
    kshim_ram = NULL;
}

void diskfile_pin(struct node *n, uint64_t idx)
{
}

void diskfile_unpin(void)
{
}

/* The pages of the fork test: 6 private anonymous pages of 8 (two
 * read-only, one PROT_NONE), 4 shared anonymous of which 1 touched, 2
 * private file pages of which one the file's own (foreign). */
#define FORK_PRIV PG(0)
#define FORK_SHARED PG(16)
#define FORK_FILE PG(24)
static const uint64_t file_frame = 0xf000UL << PAGE_SHIFT; /* not pmem's */

static void fork_parent(struct file *f)
{
    CHECK_EQ(vm_mmap(FORK_PRIV, 8 * PAGE_SIZE, 3, MAP_ANON_FIXED, NULL, 0),
             FORK_PRIV);
    for (int i = 0; i < 6; i++)
        touch(FORK_PRIV + i * PAGE_SIZE);
    CHECK_EQ(vm_mprotect(FORK_PRIV, 2 * PAGE_SIZE, PROT_READ), 0);
    CHECK_EQ(vm_mprotect(FORK_PRIV + 2 * PAGE_SIZE, PAGE_SIZE, 0),
             0); /* PROT_NONE */
    CHECK_EQ(vm_mmap(FORK_SHARED, 4 * PAGE_SIZE, 3,
                     MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, NULL, 0),
             FORK_SHARED);
    touch(FORK_SHARED);
    CHECK_EQ(
        vm_mmap(FORK_FILE, 2 * PAGE_SIZE, 3, MAP_PRIVATE | MAP_FIXED, f, 0),
        FORK_FILE);
    touch(FORK_FILE); /* a private copy */
    const struct vma *v = vma_find(FORK_FILE);
    CHECK_EQ(vm_pte_map(FORK_FILE + PAGE_SIZE, file_frame,
                        vma_file_pte_flags(v, FORK_FILE + PAGE_SIZE)),
             0);
}

/* Every holder count as one space alone holds its pages. */
static void check_one_holder(void)
{
    for (int i = 0; i < NPTE; i++)
        if (ptes[i].pte && !(ptes[i].pte & PTE_FOREIGN))
            CHECK_EQ(live_page[(ptes[i].pte & PTE_ADDR) >> PAGE_SHIFT], 1);
}

/* The child's entries name the parent's pages: private ones read-only
 * with PTE_COW in both and two holders, shared ones as they were. */
static void check_forked(struct vm_space *parent, struct vm_space *child)
{
    CHECK_EQ(child->resident, parent->resident);
    CHECK_EQ(child->resident_file, 1);
    CHECK_EQ(child->nvmas, parent->nvmas);
    for (uint64_t va = PG(0); va < PG(NPAGES); va += PAGE_SIZE) {
        uint64_t *pe = pte_slot(parent->pml4, va, false);
        uint64_t *ce = pte_slot(child->pml4, va, false);
        CHECK(!pe == !ce);
        if (!pe)
            continue;
        CHECK_EQ(*pe, *ce);
        uint64_t frame = (*pe & PTE_ADDR) >> PAGE_SHIFT;
        if (*pe & PTE_FOREIGN) {
            CHECK(!(*pe & (PTE_W | PTE_COW)));
            continue;
        }
        CHECK_EQ(live_page[frame], 2);
        bool shared = va >= FORK_SHARED && va < FORK_SHARED + 4 * PAGE_SIZE;
        CHECK(shared ? !(*pe & PTE_COW) && (*pe & PTE_W)
                     : (*pe & PTE_COW) && !(*pe & PTE_W));
    }
}

/* fork's copy (mm/fork.c): every allocation it makes failed in turn
 * gives ENOMEM with nothing kept; then the copy itself, the pages'
 * holders through munmap and mprotect, and the two spaces' ends. */
static void fork_copy(void)
{
    struct node n = {.mode = S_IFREG | 0644};
    struct file f = {.node = &n, .flags = O_RDWR};
    struct vm_space *parent = vm_space_create(), *child = NULL;
    CHECK(parent);
    vm_space_switch(parent);
    fork_parent(&f);
    long objects = kshim_live;
    int failures = 0;
    for (int k = 0;; k++) {
        for (int kind = 0; kind < 3; kind++) {
            if (kind == 0)
                kshim_kmalloc_skip = k, kshim_kmalloc_fail = 1;
            else if (kind == 1)
                pmem_left = k;
            else
                pt_set_left = k;
            int err = vm_space_fork(&child);
            kshim_kmalloc_skip = kshim_kmalloc_fail = 0;
            pmem_left = pt_set_left = -1;
            if (err) {
                CHECK_EQ(err, -ENOMEM);
                failures++;
            } else {
                vm_space_put(child);
            }
            CHECK_EQ(kshim_live, objects);
            CHECK_EQ(roots, 1);
            check_one_holder();
        }
        if (k == 16)
            break;
    }
    CHECK(failures > 10);
    /* The shared pages were allocated whole at the first try. */
    CHECK_EQ(parent->resident, 6 + 4 + 2);

    CHECK_EQ(vm_space_fork(&child), 0);
    check_forked(parent, child);
    /* mprotect keeps a shared page read-only; munmap drops a holder. */
    CHECK_EQ(vm_mprotect(FORK_PRIV, PAGE_SIZE, 3), 0);
    uint64_t *pe = lookup(FORK_PRIV);
    CHECK((*pe & PTE_COW) && !(*pe & PTE_W));
    uint64_t frame = (*pe & PTE_ADDR) >> PAGE_SHIFT;
    CHECK_EQ(vm_munmap(FORK_PRIV, PAGE_SIZE), 0);
    CHECK_EQ(live_page[frame], 1);
    struct vm_file *vf = vma_find(FORK_FILE)->file;
    CHECK_EQ(vf->refs, 2); /* a VMA in each space */
    vm_space_put(child);
    check_one_holder();
    CHECK_EQ(vf->refs, 1);
    CHECK_EQ(node_refs, 1);
    vm_space_destroy(parent);
    CHECK_EQ(node_refs, 0);
    CHECK_EQ(roots, 0);
}

int main(void)
{
    space_view();
    struct vm_space *space = vm_space_create();
    CHECK(space);
    vm_space_switch(space);
    random_ops(20000);
    huge_lengths();
    split_fails();
    file_mapping();
    brk();
    mremap();
    CHECK(list_empty(vma_list()));
    CHECK_EQ(vm_resident_pages(), 0);
    vm_space_destroy(space);
    space_destroy();
    space_share();
    fork_copy();
    for (uint64_t f = 0; f < next_frame; f++)
        CHECK(!live_page[f]);
    CHECK_EQ(kshim_live, 0);
    return check_done();
}
