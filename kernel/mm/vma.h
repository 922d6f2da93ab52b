/*
 * mm/vma.h — inside mm only: the VMA and the helpers that vm.c (the
 * mappings), fault.c (page faults and file pages) and remap.c (mremap,
 * msync, madvise, mincore) share.  Other subsystems use mm/mm.h.
 */
#ifndef MM_VMA_H
#define MM_VMA_H

#include "fs/fs.h"
#include "mm/mm.h"

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02

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

/* The VMAs, sorted by start and not overlapping. */
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
/* Maps pa at va and counts it resident. */
int vm_pte_map(uint64_t va, uint64_t pa, uint64_t flags);
/* Clears a leaf entry, freeing its page unless foreign. */
void vm_pte_drop(uint64_t *pte, uint64_t va);
/* The resident counts change by one page of entry pte (sign +1 or -1). */
void vm_account(uint64_t pte, int sign);
/* The file page index of va in file mapping v. */
static inline uint64_t vma_file_index(const struct vma *v, uint64_t va)
{
    return (va - v->start + v->off) / PAGE_SIZE;
}

#endif
