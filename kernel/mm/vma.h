/*
 * mm/vma.h — inside mm only: the address space and its VMAs, and the
 * helpers that vm.c (the mappings), fault.c (page faults and file pages)
 * and vmops.c (mremap, msync, madvise) share.  Other subsystems use
 * mm/mm.h.  The helpers act on the current space (vm_cur) unless they
 * take one.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include "fs/fs.h"
#include "mm/mm.h"

/* The file a mapping maps, shared by the VMAs one mmap split into. */
struct vm_file {
    int refs;
    struct node *node; /* a reference: the file outlives close and unlink */
    char *path;        /* the path it was opened by, or NULL */
};

#define VMA_SHARED 1 /* MAP_SHARED: the file's own pages, written in place */
#define VMA_MAYWRITE                                                           \
    2 /* mprotect may add PROT_WRITE (not a shared mapping                     \
         of a file opened without write access) */

struct vma {
    struct list link;
    uint64_t start, end;
    int prot;
    unsigned flags;       /* VMA_* */
    struct vm_file *file; /* NULL: anonymous memory */
    uint64_t off;         /* file offset of start */
};

#define VMA(l) container_of(l, struct vma, link)

/* An address space: its mappings and page tables. */
struct vm_space {
    struct list link; /* every live space (vm_spaces) */
    int refs;         /* processes sharing it (CLONE_VM) */
    bool dead;        /* destroyed, its tables kept while another CPU has
                         it loaded (vm_space_destroy) */
    struct list vmas; /* sorted by start, non-overlapping */
    uint64_t *pml4;   /* its page tables (pt_root_new) */
    uint64_t brk_start, brk_end;
    uint64_t resident;      /* pages mapped for the program */
    uint64_t resident_file; /* of which a file's (or the image's) pages */
    unsigned nvmas;
    /* what exec put there, for /proc/PID (vm_set_exec) */
    char *exe; /* the program's path, or NULL */
    uint64_t arg_start, arg_end, env_start, env_end;
};

/* The space the calls act on: the one loaded on this CPU (mm/mm.h). */
static inline struct vm_space *vm_cur(void)
{
    assert(this_cpu()->vm);
    return this_cpu()->vm;
}

/* Its page tables. */
static inline uint64_t *vm_root(void)
{
    return vm_cur()->pml4;
}

/* Every address space, by link (a file's pages are zapped in all). */
struct list *vm_spaces(void);
/* The current space's VMAs, sorted by start and not overlapping. */
struct list *vma_list(void);
/* The VMA containing addr, or NULL. */
struct vma *vma_find(uint64_t addr);
/* Splits the VMA containing addr so that one starts exactly at addr. */
int vma_split(uint64_t addr);
/* Adds a VMA over [start, end), which must be free; takes a reference to
 * file (NULL: anonymous). */
int vma_insert(uint64_t start, uint64_t end, int prot, unsigned flags,
               struct vm_file *file, uint64_t off);
/* Removes every mapping of [start, end), freeing the pages it owned. */
int vm_unmap_range(uint64_t start, uint64_t end);
/* Whether no VMA overlaps [start, end). */
bool vm_range_free(uint64_t start, uint64_t end);
/* The highest free gap of len bytes below the mmap area's top, or 0. */
uint64_t vm_find_gap(uint64_t len);
/* Drops a reference to a mapped file (NULL: none); the last writes a
 * mounted file's shared pages back and puts its node. */
void vm_file_put(struct vm_file *f);

/* Page-table entry bits for a page of v: not present when v allows no
 * access (the page is kept), and a file's page (foreign) in a private
 * mapping never writable, so the first write copies it. */
uint64_t vma_pte_flags(const struct vma *v, bool foreign);
/* The entry flags of the file's page at va in file mapping v (foreign):
 * read-only in a private mapping (a write copies), and in a shared one
 * while the page is not writable in place (node_page_writable), so the
 * first store faults and marks it dirty (node_page_dirty). */
uint64_t vma_file_pte_flags(const struct vma *v, uint64_t va);
/* The entry for the page of entry old at va in v, with v's protection
 * (after mprotect, or for a stale entry): a file's page as
 * vma_file_pte_flags says, a page fork shares (PTE_COW) never writable. */
uint64_t vma_pte_for(const struct vma *v, uint64_t va, uint64_t old);
/* Maps pa at va in the current space and counts it resident. */
int vm_pte_map(uint64_t va, uint64_t pa, uint64_t flags);
/* Clears a leaf entry of space s, dropping its page unless foreign (the
 * last holder frees it). */
void vm_pte_drop(struct vm_space *s, uint64_t *pte, uint64_t va);
/* The resident counts of s change by one page of entry pte (sign +1 or
 * -1); the zero page does not count. */
void vm_account(struct vm_space *s, uint64_t pte, int sign);
/* The physical address of the zero page: a read fault in private
 * anonymous memory maps it, read-only and foreign, as Linux maps its
 * ZERO_PAGE, so memory only read takes no RAM; the first write copies it
 * (mm/fault.c).  In the kernel's own image, so never freed. */
uint64_t vm_zero_page(void);
/* The file page index of va in file mapping v. */
static inline uint64_t vma_file_index(const struct vma *v, uint64_t va)
{
    return (va - v->start + v->off) / PAGE_SIZE;
}

#endif
