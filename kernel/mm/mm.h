/*
 * mm/mm.h — memory: the physical page allocator, the kernel heap, page
 * tables, the program's address space (VMAs with demand-zero paging) and
 * the checked copies between kernel and user memory.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include "arch/x86_64/arch.h"
#include "lib/linux_abi.h"

/* --- pmem.c: physical pages, a buddy allocator (orders 0..PMEM_MAX_ORDER) */
#define PMEM_MAX_ORDER 10

struct mem_range {
    uint64_t start, end; /* physical [start, end) */
};

/* ram: usable RAM; reserved: ranges inside it that are already in use. */
void pmem_init(const struct mem_range *ram, int nram,
               const struct mem_range *reserved, int nreserved);
/* 2^order contiguous pages, or 0 when memory is exhausted. */
uint64_t pmem_alloc(unsigned order);
/* The same, zeroed. */
uint64_t pmem_alloc_zeroed(unsigned order);
/* Gives back a block pmem_alloc returned, with the same order (a block
 * not allocated, or misaligned for its order, panics). */
void pmem_free(uint64_t pa, unsigned order);
/* Free pages now (carved or not). */
uint64_t pmem_free_pages(void);
/* Memory pressure: when no block is left, pmem_alloc calls fn (never
 * from inside fn itself) to free at least pages pages if it can, and
 * tries again while fn frees some.  fn returns the pages it freed; it
 * runs wherever pmem_alloc was called, so it may not free a page anyone
 * holds (fs/diskfile.c's pins). */
void pmem_set_reclaim(uint64_t (*fn)(uint64_t pages));
/* While paused (calls nest), pmem_alloc fails rather than reclaim: for
 * code that reads a program's pages it has checked, which reclaim could
 * take away, from where a page fault must not wait for a disk (inside
 * lwIP: net/tcp.c). */
void pmem_reclaim_pause(bool pause);
/* Asks the reclaimer (not from inside itself, nor while paused) for up
 * to pages pages now: whether it freed any. */
bool pmem_reclaim(uint64_t pages);
/* Pages mapped in several address spaces (fork's copy-on-write, shared
 * anonymous memory): a page pmem_alloc(0) gave has one holder; get adds
 * one (false, nothing done, when it has 128 already), put drops one and
 * frees the page with the last, shared tells whether it has more than
 * one. */
bool pmem_page_get(uint64_t pa);
void pmem_page_put(uint64_t pa);
bool pmem_page_shared(uint64_t pa);
/* Pages the allocator manages (RAM less what boot reserved). */
uint64_t pmem_total_pages(void);
/* The physical address above all of RAM the allocator knows. */
uint64_t pmem_max_phys(void);

/* --- failinject.c: gorump.failslab= and gorump.failpage= (docs/SECURITY.md) */
enum fail_kind { FAIL_SLAB, FAIL_PAGE, FAIL_NET, FAIL_KINDS };
/* Starts failing allocations, if the command line asks for it. */
void failinject_arm(void);
/* Whether this allocation is to fail (kmalloc, pmem_alloc and lwIP's
 * allocator ask). */
bool failinject_now(enum fail_kind kind);
/* Allocations failed on purpose since boot, all kinds. */
uint64_t failinject_count(void);
/* Whether the command line names the knob (/proc/gorump/failnet exists
 * only then); its PERCENT now; a new PERCENT (0-100) from now on. */
bool failinject_named(enum fail_kind kind);
unsigned failinject_percent(enum fail_kind kind);
void failinject_set(enum fail_kind kind, unsigned percent);

/* --- kheap.c: kmalloc/kfree, 16-byte aligned */
/* n bytes (up to 4 MiB less a header), or NULL when out of memory; never
 * sleeps, so any context.  kzalloc zeroes them. */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
/* A kmalloc'd copy of the string s, or NULL when out of memory. */
static inline char *kstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = kmalloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}
/* Frees what kmalloc returned (NULL: nothing); a bad pointer or a double
 * free panics. */
void kfree(void *p);
/* Pages held by the heap (slabs are never given back: a measure of the
 * kernel's own memory use, reported as Slab in /proc/meminfo). */
uint64_t kheap_pages(void);

/* --- pt.c: the page tables: the kernel's, and a PML4 per address space
 * whose user half (below USER_TOP) is its own and whose kernel half is
 * the kernel's, shared. */
#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_FOREIGN (1UL << 9) /* frame not owned by pmem: never freed */
#define PTE_COW (1UL << 10)    /* a private page fork shared: a write copies */
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL

/* Builds the kernel's tables for the given RAM, taking table pages from
 * early_start on; returns the end of what it took (to reserve). */
uint64_t pt_init(const struct mem_range *ram, int nram, uint64_t early_start);
/* From now on tables come from pmem. */
void pt_pmem_ready(void);
/* A new PML4 (its direct-map address): the user half empty, the kernel
 * half the kernel's; NULL when out of memory. */
uint64_t *pt_root_new(void);
/* Frees root and every table of its user half, whose leaves must have
 * been cleared (their pages are the caller's); root is loaded on no CPU. */
void pt_root_free(uint64_t *root);
/* Loads root (NULL: the kernel's tables) into this CPU's CR3 unless it is
 * there already (a load drops every TLB entry: no PCID, no PGE). */
void pt_switch(uint64_t *root);
/* The user half of root, for user addresses (va < USER_TOP).  Maps one
 * 4 KiB page; -ENOMEM if a table could not be allocated. */
int pt_map(uint64_t *root, uint64_t va, uint64_t pa, uint64_t flags);
/* Sets the leaf entry for va to entry as it is: 0 or -ENOMEM. */
int pt_set(uint64_t *root, uint64_t va, uint64_t entry);
/* The leaf entry for va, or NULL if no table covers it. */
uint64_t *pt_lookup(uint64_t *root, uint64_t va);
/* Calls fn on every 4 KiB leaf in [start, end) that is not 0 (present, or
 * a page kept not present under PROT_NONE). */
void pt_each(uint64_t *root, uint64_t start, uint64_t end,
             void (*fn)(uint64_t *pte, uint64_t va, void *arg), void *arg);
/* pt_map and pt_lookup for kernel addresses (va >= USER_TOP), in the
 * kernel's tables that every space shares. */
int pt_kernel_map(uint64_t va, uint64_t pa, uint64_t flags);
uint64_t *pt_kernel_lookup(uint64_t va);
/* Maps device memory [pa, pa+size) uncached, NX, at a new kernel address
 * (never unmapped; a guard page after each region): its address.  Boot
 * and probe code; panics when a table cannot be allocated. */
void *mmio_map(uint64_t pa, size_t size);

/* --- kstack.c: threads' kernel stacks, KSTACK_SIZE each with unmapped
 * guard pages below. */
/* The lowest address of a new stack, or 0 when memory is exhausted. */
uint64_t kstack_alloc(void);
/* Unmaps and frees a stack kstack_alloc returned (not the running one). */
void kstack_free(uint64_t base);
/* Whether addr is in the guard below some kernel stack. */
bool kstack_guard(uint64_t addr);

/* --- vm.c: address spaces.  Every vm_ call below acts on the space
 * loaded on the calling CPU (vm_space_current), which the scheduler
 * switches with the thread; only the vm_space_ calls take one. */

struct file;
struct node;
struct vm_space;

/* A new, empty address space (no mapping; the kernel half shared), or
 * NULL when out of memory. */
struct vm_space *vm_space_create(void);
/* fork: a copy of the current space in *child (its VMAs, file
 * references, break and pages): private pages are shared read-only by
 * both (PTE_COW) until one writes, shared ones stay shared (shared
 * anonymous memory is allocated whole first, in the current space).
 * 0, or -ENOMEM with nothing else kept (the parent's private pages may
 * stay write-protected: their next write takes them back). */
int vm_space_fork(struct vm_space **child);
/* Another reference to s (CLONE_VM), and dropping one: the last
 * destroys s. */
struct vm_space *vm_space_share(struct vm_space *s);
void vm_space_put(struct vm_space *s);
/* Frees s: its mappings, every page it owned and every page table.  s
 * may be loaded on this CPU (the kernel's tables are loaded instead); on
 * another CPU only while that one is idle: its tables are then freed
 * when it loads another space, which it is kicked to do. */
void vm_space_destroy(struct vm_space *s);
/* The idle loop's: a destroyed space still loaded here is let go. */
void vm_space_idle(void);
/* Loads s (NULL: the kernel's tables only) on this CPU, unless it is
 * loaded already. */
void vm_space_switch(struct vm_space *s);
/* The space loaded on this CPU, or NULL. */
struct vm_space *vm_space_current(void);
/* Creates a mapping at exactly [start, end) (which must be free), with
 * pages filled lazily with zeros. */
int vm_map_fixed(uint64_t start, uint64_t end, int prot);
/* mmap(2): f is the file for a mapping without MAP_ANONYMOUS (NULL
 * otherwise); a regular file's mapping keeps a reference to its node. */
long vm_mmap(uint64_t addr, uint64_t len, int prot, int flags, struct file *f,
             uint64_t off);
/* The system calls of the same names, their arguments as the program
 * gave them (checked here) and Linux's errors: munmap(2), mprotect(2),
 * madvise(2), mremap(2) (the new address or a negative errno),
 * msync(2) (a mounted file's shared pages written back). */
int vm_munmap(uint64_t addr, uint64_t len);
int vm_mprotect(uint64_t addr, uint64_t len, int prot);
int vm_madvise(uint64_t addr, uint64_t len, int advice);
long vm_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
               uint64_t new_addr);
int vm_msync(uint64_t addr, uint64_t len, int flags);
/* mincore(2): one byte per page to uvec. */
int vm_mincore(uint64_t addr, uint64_t len, uint64_t uvec);
/* Unmaps file pages [from, to) of n from every mapping of it: the pages
 * that are the file's (or the image's), and with cows also the private
 * copies made of them (truncate). */
void vm_zap_file(struct node *n, uint64_t from, uint64_t to, bool cows);
/* Makes file pages [from, to) of n read-only in every shared mapping of
 * it (every CPU's entries too), so the next store faults. */
void vm_wrprotect_file(struct node *n, uint64_t from, uint64_t to);
/* brk(2): moves the break to addr if it can; the break either way. */
long vm_brk(uint64_t addr);
/* Exec: the break starts (empty) at start, rounded up to a page. */
void vm_set_brk(uint64_t start);
/* Resolves a fault at addr (x86 page-fault error code err): 0, -EFAULT
 * (no mapping), -EACCES (not allowed), -EIO (a file page past the end of
 * the file, or none to be had: SIGBUS) or -ENOMEM (out of memory). */
int vm_fault(uint64_t addr, uint64_t err);
/* Exec (binfmt_elf's elf_map and vm_brk): [start, end) becomes, in place
 * of whatever was mapped there, a private mapping of n from file offset
 * off named path in /proc/self/maps, or anonymous memory when n is NULL. */
int vm_map_exec(uint64_t start, uint64_t end, int prot, struct node *n,
                const char *path, uint64_t off);
/* Zeroes the bytes from addr to the end of its page in a private file
 * mapping, which makes that page a private copy whatever the mapping's
 * protection (exec: the bytes of a segment's last file page past
 * p_filesz); nothing to do at a page boundary. */
int vm_zero_tail(uint64_t addr);
/* Pages mapped, and of them the ones that are a file's or the image's. */
uint64_t vm_resident_pages(void);
uint64_t vm_resident_file_pages(void);
struct vm_area {
    uint64_t start, end;
    int prot;
    bool shared;
    uint64_t off, ino; /* file mappings: offset and inode, else 0 */
    const char *path;  /* the file's path, or NULL */
    bool deleted;      /* the file has no name left */
};
/* Calls fn for every mapping, in address order (/proc/self/maps). */
void vm_each(void (*fn)(const struct vm_area *a, void *arg), void *arg);
/* Bytes of address space mapped (VmSize), and where the heap starts. */
uint64_t vm_mapped_bytes(void);
uint64_t vm_brk_start(void);

/* --- vmview.c: what /proc/PID shows of any process's space. */

/* Exec: the program's path (copied; none kept when out of memory) and
 * where its argument and environment strings lie on the new stack. */
void vm_set_exec(const char *exe, uint64_t arg_start, uint64_t arg_end,
                 uint64_t env_start, uint64_t env_end);
struct vm_info {
    uint64_t mapped;                  /* bytes (VmSize) */
    uint64_t resident, resident_file; /* pages */
    uint64_t brk_start;
    uint64_t arg_start, arg_end, env_start, env_end;
    const char *exe; /* NULL: not exec'd through vm_set_exec */
};
void vm_space_info(struct vm_space *s, struct vm_info *i);
/* Calls fn for every mapping of s, in address order (/proc/PID/maps). */
void vm_space_each(struct vm_space *s,
                   void (*fn)(const struct vm_area *a, void *arg), void *arg);
/* Copies up to n bytes at user address addr of s, which need not be
 * loaded, through its page tables: the bytes copied, stopping at the
 * first page that is not present (nothing is faulted in). */
size_t vm_space_read(struct vm_space *s, uint64_t addr, void *buf, size_t n);

/* --- uaccess.c: the only way to touch user memory.  All return 0 or
 * -EFAULT (a bad pointer never panics the kernel). */
long copy_from_user(void *dst, uint64_t usrc, size_t n);
long copy_to_user(uint64_t udst, const void *src, size_t n);
/* Writes n zero bytes to user memory. */
long zero_user(uint64_t udst, size_t n);
/* Copies a NUL-terminated string of at most max-1 bytes: its length,
 * -EFAULT, or -ENAMETOOLONG. */
long strncpy_from_user(char *dst, uint64_t usrc, size_t max);
/* Reads one 32-bit value. */
long get_user_u32(uint32_t *v, uint64_t uaddr);
/* Whether [p, p+n) lies wholly below USER_TOP without wrapping (no check
 * that it is mapped: the copies find that out). */
bool user_range_ok(uint64_t p, uint64_t n);
/* How many of the n bytes at p the program could read, touching each
 * page (so a lazily allocated one is there after): n, fewer when a page
 * on the way cannot be read, or -EFAULT when the first cannot. */
long user_readable(uint64_t p, size_t n);
/* copy_from_user that also adds the bytes to *sum, the way
 * uaccess_copy_sum does (arch/x86_64/uaccess.S): 0 or -EFAULT. */
long copy_from_user_sum(void *dst, uint64_t usrc, size_t n, uint64_t *sum);

#endif
