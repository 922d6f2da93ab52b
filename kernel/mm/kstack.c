/*
 * mm/kstack.c — kernel stacks for threads, in a region of their own
 * (KSTACK_REGION) rather than the direct map: each stack sits at the top
 * of a slot whose lower pages are never mapped, so running off the end of
 * a stack faults at once (and, as the fault cannot push its frame there
 * either, becomes a double fault on its own IST stack that trap.c reports
 * as a kernel stack overflow) instead of overwriting whatever the buddy
 * allocator had put below it.  A stack's pages need not be contiguous.
 * Freed slots are reused, last freed first.
 */
#include "mm/mm.h"

#define SLOT_SIZE (2 * KSTACK_SIZE) /* the lower half is the guard */
#define MAX_SLOTS 65536

static struct {
    uint64_t next;      /* slots ever handed out */
    uint32_t free[256]; /* freed slot numbers, a stack */
    unsigned nfree;
} ks;

static uint64_t slot_base(uint64_t slot)
{
    return KSTACK_REGION + slot * SLOT_SIZE + SLOT_SIZE - KSTACK_SIZE;
}

static void unmap(uint64_t base, uint64_t bytes)
{
    for (uint64_t va = base; va < base + bytes; va += PAGE_SIZE) {
        uint64_t *pte = pt_kernel_lookup(va);
        if (pte && (*pte & PTE_P)) {
            uint64_t pa = *pte & PTE_ADDR;
            *pte = 0;
            invlpg(NULL, va);
            pmem_free(pa, 0);
        }
    }
}

uint64_t kstack_alloc(void)
{
    uint64_t slot;
    if (ks.nfree)
        slot = ks.free[--ks.nfree];
    else if (ks.next < MAX_SLOTS)
        slot = ks.next++;
    else
        return 0;
    uint64_t base = slot_base(slot);
    for (uint64_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
        uint64_t pa = pmem_alloc(0);
        if (!pa || pt_kernel_map(base + off, pa, PTE_W | PTE_NX | PTE_G)) {
            if (pa)
                pmem_free(pa, 0);
            kstack_free(base);
            return 0;
        }
    }
    return base;
}

void kstack_free(uint64_t base)
{
    uint64_t slot = (base - KSTACK_REGION) / SLOT_SIZE;
    assert(slot < ks.next && base == slot_base(slot));
    unmap(base, KSTACK_SIZE);
    /* Past 256 free slots the address is given up, not the memory. */
    if (ks.nfree < ARRAY_SIZE(ks.free))
        ks.free[ks.nfree++] = (uint32_t)slot;
}

/* The boot stack (boot.S), the idle thread's, gets a guard too: the page
 * below it holds the boot page tables, which the kernel no longer reads
 * once pt_init has built the real ones (only the APs' start walks them,
 * by physical address: arch/x86_64/smp_tramp.S), and pt_init leaves it
 * unmapped. */
extern char boot_stack_top[];
#define BOOT_STACK_SIZE 16384

bool kstack_guard(uint64_t addr)
{
    uint64_t boot_guard =
        (uint64_t)boot_stack_top - BOOT_STACK_SIZE - PAGE_SIZE;
    if (addr >= boot_guard && addr < boot_guard + PAGE_SIZE)
        return true;
    if (addr < KSTACK_REGION || addr >= KSTACK_REGION + MAX_SLOTS * SLOT_SIZE)
        return false;
    return (addr - KSTACK_REGION) % SLOT_SIZE < SLOT_SIZE - KSTACK_SIZE;
}
