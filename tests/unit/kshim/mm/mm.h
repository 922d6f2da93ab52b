/*
 * tests/unit/kshim/mm/mm.h — what kernel/mm/pmem.c needs from the kernel,
 * for building it on the host (tests/unit/test_pmem.c includes the file
 * itself).  "Physical" addresses are offsets into a host buffer, the
 * kernel's assert calls kshim_panic, which a test can catch.
 */
#ifndef KSHIM_MM_H
#define KSHIM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define PMEM_MAX_ORDER 10
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a)-1) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))

struct mem_range {
    uint64_t start, end;
};

/* The host buffer that plays physical memory from address 0. */
extern uint8_t *kshim_ram;

static inline void *phys_to_virt(uint64_t pa)
{
    return kshim_ram + pa;
}

static inline uint64_t virt_to_phys(const void *va)
{
    return (uint64_t)((const uint8_t *)va - kshim_ram);
}

void kshim_panic(const char *fmt, ...);
#define panic kshim_panic
#define assert(c)                                                              \
    do {                                                                       \
        if (!(c))                                                              \
            kshim_panic("assertion failed: %s", #c);                           \
    } while (0)

struct list {
    struct list *next, *prev;
};

static inline void list_init(struct list *l)
{
    l->next = l->prev = l;
}

static inline void list_add_tail(struct list *head, struct list *n)
{
    n->prev = head->prev;
    n->next = head;
    head->prev->next = n;
    head->prev = n;
}

static inline void list_del(struct list *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

static inline bool list_empty(const struct list *l)
{
    return l->next == l;
}

enum fail_kind { FAIL_SLAB, FAIL_PAGE };
bool failinject_now(enum fail_kind kind);

void pmem_init(const struct mem_range *ram, int nram,
               const struct mem_range *reserved, int nreserved);
uint64_t pmem_alloc(unsigned order);
uint64_t pmem_alloc_zeroed(unsigned order);
void pmem_free(uint64_t pa, unsigned order);
uint64_t pmem_free_pages(void);
void pmem_set_reclaim(uint64_t (*fn)(uint64_t pages));
uint64_t pmem_total_pages(void);
uint64_t pmem_max_phys(void);

#endif
