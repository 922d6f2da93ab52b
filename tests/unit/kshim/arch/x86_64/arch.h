/*
 * tests/unit/kshim/arch/x86_64/arch.h — stands in for the kernel's arch
 * header when kernel code is built for the host (tests/unit/test_k*.c):
 * the real lib/lib.h, mm/mm.h, proc/proc.h and fs/fs.h are used as they
 * are, and only what touches the CPU is replaced.  "Physical" addresses
 * are offsets into a host buffer (kshim_ram), and TLB flushes do nothing.
 */
#ifndef ARCH_X86_64_ARCH_H
#define ARCH_X86_64_ARCH_H

#include "lib/lib.h"

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define USER_TOP 0x00007ffffffff000UL

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

static inline void invlpg(const uint64_t *root, uint64_t va)
{
    (void)root, (void)va;
}

static inline void irq_disable(void)
{
}

/* The monotonic clock, which a test whose kernel code reads it defines
 * (test_vscsi.c: one that runs fast, so waits time out soon). */
uint64_t clock_mono_ns(void);

/* lib/kmsg.c's, which a test that builds it defines. */
void backtrace_here(void);
__noreturn void arch_poweroff(int status);

struct trapframe;
struct cpu {
    struct thread *current;
    struct vm_space *vm;
    struct fd_table *files;
    struct fs_ctx *fs;
    unsigned id;
};

/* One CPU on the host: a panic has no other CPUs to stop. */
static inline unsigned smp_stop_for_panic(unsigned *others)
{
    *others = 0;
    return 0;
}
extern struct cpu cpu0;

static inline struct cpu *this_cpu(void)
{
    return &cpu0;
}

static inline unsigned smp_cpus_found(void)
{
    return 1;
}

static inline struct cpu *smp_cpu(unsigned i)
{
    return i ? NULL : &cpu0;
}

/* No other CPU to kick. */
static inline void smp_kick(struct cpu *c)
{
    (void)c;
}

#endif
