/*
 * arch/x86_64/arch.h — what the rest of the kernel may use of the CPU:
 * the memory layout, port and register access, the trap frame, interrupts,
 * the local APIC timer and the clocks.
 */
#ifndef ARCH_X86_64_ARCH_H
#define ARCH_X86_64_ARCH_H

#include "lib/lib.h"

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12

/* Kernel image: linked at KERNEL_BASE + its physical load address (1 MiB).
 * All RAM is mapped again at DIRECT_BASE, supervisor-only and NX. */
#define KERNEL_BASE 0xffffffff80000000UL
#define DIRECT_BASE 0xffff888000000000UL
#define MMIO_BASE 0xffffc90000000000UL
/* Threads' kernel stacks, each above an unmapped guard (mm/kstack.c). */
#define KSTACK_REGION 0xffffca0000000000UL
#define KSTACK_SIZE (4 * PAGE_SIZE)
#define USER_TOP 0x00007ffffffff000UL

static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(pa + DIRECT_BASE);
}

static inline uint64_t virt_to_phys(const void *va)
{
    uint64_t v = (uint64_t)va;
    return v >= KERNEL_BASE ? v - KERNEL_BASE : v - DIRECT_BASE;
}

/* Segment selectors (GDT layout fixed by SYSCALL/SYSRET, see cpu.c). */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x1b
#define USER_CS 0x23
#define TSS_SEL 0x28

#define RFLAGS_IF 0x200UL
#define RFLAGS_DF 0x400UL
#define RFLAGS_TF 0x100UL
#define RFLAGS_IOPL 0x3000UL
#define RFLAGS_NT 0x4000UL
#define RFLAGS_AC 0x40000UL
#define CR4_UMIP (1UL << 11)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)
/* What a program may change in RFLAGS through rt_sigreturn. */
#define RFLAGS_USER_MASK 0x254dd5UL

/* Saved user (or interrupted kernel) state, on the thread's kernel stack.
 * Field order is the push order in trap.S. */
struct trapframe {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t orig_rax; /* syscall number, or -1 for traps and interrupts */
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

#define VEC_TIMER 0x20
/* The BKL-free IPIs are the only vectors of the highest priority class
 * (0xf0-0xff): a CPU halted waiting for the BKL sets the task priority to
 * let in just those (smp_ipi.c). */
#define VEC_RESCHED 0xe0 /* IPI: look at the run queue, signals, timers */
#define VEC_TLB 0xf1     /* IPI: pause for a page-table change (BKL-free) */
#define VEC_STOP 0xf2    /* IPI: halt for good (exit; BKL-free) */
#define VEC_BKL 0xf3     /* IPI: the BKL was released (BKL-free) */
#define VEC_SPURIOUS 0xff
#define VEC_SYSCALL 0x100 /* pseudo-vector recorded for SYSCALL entries */

/* The 64-bit TSS (Intel SDM vol. 3 §7.7): the stack of an entry from
 * user mode (rsp[0]) and the interrupt stack table. */
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed;

#define CPU_IST_SIZE 8192 /* each of a CPU's two IST stacks */

/* Per-CPU data, reached through the kernel GS base (MSR_GS_BASE in the
 * kernel, swapped with the user's by SWAPGS on each entry from and return
 * to user mode).  trap.S knows the first two offsets, smp_tramp.S the
 * first. */
struct cpu {
    uint64_t kstack_top; /* rsp0 of the running thread */
    uint64_t user_rsp;   /* scratch for the SYSCALL entry */
    struct thread *current;
    bool need_resched;
    bool smap;        /* CR4.SMAP is on: stac and clac exist */
    uint64_t cr4;     /* as cpu_init left it, for tests and stats */
    struct cpu *self; /* this struct: what this_cpu() reads at %gs:self */
    unsigned id;      /* 0 for the boot CPU, then in the order started */
    uint8_t apic_id;
    bool online; /* an AP that finished its set-up (smp.c) */
    uint64_t gdt[7] __aligned(16);
    struct tss tss;

    /* The scheduler's, for this CPU (proc/sched.c); under the BKL. */
    struct thread *idle;  /* this CPU's idle thread */
    uint64_t slice_start; /* when current() was scheduled */
    uint64_t preempt_at;  /* a woken thread waits until then; 0: none */
    uint64_t timer_at;    /* what the LAPIC timer is armed for; 0: none */
    bool halted;          /* in the idle loop's hlt, not yet kicked */
    uint64_t busy_ns;     /* time spent running threads (not idle) */
    struct list runq;     /* runnable threads queued for this CPU */
    unsigned nr_queued;   /* their number */
    uint64_t steals;      /* threads taken from another CPU's queue */
    uint64_t switches;    /* context switches on this CPU */
    /* smp_ipi.c: written by this CPU, read by the BKL holder. */
    volatile bool in_user;     /* left the BKL for user mode, not back */
    volatile bool stopped;     /* halted for good (exit) */
    volatile uint32_t tlb_ack; /* the last quiesce this CPU answered */
    volatile bool bkl_halted;  /* halted waiting for the BKL (bkl_halt) */
    uint32_t tlb_gen;          /* the last flush generation it applied */
    /* Under the BKL: the page tables loaded in CR3 (NULL: the kernel's;
     * tlb_load), and whether a holder changed them since, so this CPU
     * flushes at its next BKL entry; tlb_asked: the quiesce it was
     * paused by. */
    const uint64_t *tlb_root;
    bool tlb_pending;
    uint32_t tlb_asked;
    /* The running process's objects, installed by proc/ at a switch and
     * used by the layers owning them.  mm/vm.c: the space in CR3 (NULL:
     * the kernel's tables); fs/file.c and fs/path.c: the fd table and the
     * cwd and umask (NULL: the boot's). */
    struct vm_space *vm;
    struct fd_table *files;
    struct fs_ctx *fs;
};
extern struct cpu cpu0;
extern bool cpu_has_rdrand;

/* Volatile: a thread may move to another CPU at schedule() one day, and
 * the compiler must not reuse a value read before. */
static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:%c1, %0"
                     : "=r"(c)
                     : "i"(offsetof(struct cpu, self)));
    return c;
}

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v),
                     "d"((uint32_t)(v >> 32)));
}

static inline uint64_t read_rflags(void)
{
    uint64_t v;
    __asm__ volatile("pushfq; popq %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

static inline uint64_t read_cr3(void)
{
    uint64_t v;
    __asm__ volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}

static inline void write_cr3(uint64_t v)
{
    __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory");
}

/* This CPU's TLB entry for va, dropped. */
static inline void invlpg_local(uint64_t va)
{
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

/* smp_ipi.c: the other CPUs' part of invalidating va in the tables
 * rooted at root (NULL: the kernel's) — the shootdown. */
void tlb_shootdown(const uint64_t *root, uint64_t va);
extern bool smp_multi; /* more than one CPU online */

/* Loads the page tables rooted at root, whose physical address is pa
 * (NULL: the kernel's), and notes which they are for the shootdown; under
 * the BKL.  Without PCIDs the load drops every entry but the kernel's
 * global ones. */
static inline void tlb_load(const uint64_t *root, uint64_t pa)
{
    this_cpu()->tlb_root = root;
    write_cr3(pa);
}

/* A page-table entry for va in the tables rooted at root (NULL: the
 * kernel's) was removed or narrowed, or its page replaced: no CPU may use
 * the old one once the BKL is released.  For a user address, the other
 * CPUs that have those tables loaded and run user code are paused at the
 * first such change (before a page it mapped is freed: callers clear the
 * entry, invalidate, then free) until the BKL holder lets go, and flush
 * then; the others with them loaded flush at their next BKL entry, and a
 * CPU with other tables loaded holds no entry of them.  Kernel addresses
 * are flushed by each CPU as it next takes the BKL (docs/ARCHITECTURE.md,
 * "SMP"). */
static inline void invlpg(const uint64_t *root, uint64_t va)
{
    if (smp_multi)
        tlb_shootdown(root, va);
    if (!root || va >= USER_TOP || root == this_cpu()->tlb_root)
        invlpg_local(va);
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* CPUID.1:ECX bit 31, set by every hypervisor and clear on bare metal. */
static inline bool cpu_under_hypervisor(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    return r[2] & (1u << 31);
}

#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_FMASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

/* cpu.c: boot only, once, before anything else of the CPU is used:
 * GDT, TSS, SYSCALL MSRs, GS base, SMEP/SMAP/UMIP, the MXCSR mask. */
void cpu_init(void);
/* The same for an application processor, on itself (smp.c): c's GDT and
 * TSS with the IST stacks c->tss.ist[0..1] already point to, and GS. */
void cpu_init_ap(struct cpu *c);
/* The kernel stack top the next trap or SYSCALL from user mode lands on
 * (TSS rsp0 and the SYSCALL entry's); the scheduler's, at each switch. */
void cpu_set_kstack(uint64_t top);
/* fpu.c: the program's x87/SSE/AVX registers (XSAVE where the CPU has it).
 * On each CPU as cpu_setup runs: CR4's FPU bits and XCR0. */
void fpu_cpu_init(void);
/* Boot only, after the boot CPU's fpu_cpu_init: the area's size and the
 * MXCSR mask. */
void fpu_boot(void);
/* Bytes of a thread's area (64-byte aligned, zeroed when allocated: the
 * XSAVE header must be): the state and room for a signal frame's trailing
 * magic, which is also exactly the fpstate a signal frame holds. */
size_t fpu_area_size(void);
/* The XCR0 components enabled (0 without XSAVE). */
uint64_t fpu_xfeatures(void);
/* area set to a new program's state: every component initial, the
 * default x87 control word and MXCSR. */
void fpu_init_state(void *area);
/* This CPU's state to / from area (XSAVEOPT/XRSTOR, or FXSAVE64/
 * FXRSTOR64); restore trusts area (fpu_frame_load checks a program's). */
void fpu_save(void *area);
void fpu_restore(void *area);
/* A just saved area made a signal frame's fpstate, in place: the legacy
 * region complete, Linux's software-reserved bytes and trailing magic. */
void fpu_frame_fill(void *area);
/* From the first 512 bytes of a program's fpstate: the size of the XSAVE
 * image its software-reserved bytes declare, or 0 when they are not
 * valid (or the CPU has no XSAVE): the legacy region alone counts. */
size_t fpu_frame_xsize(const void *legacy);
/* Whether word, read just past that image, is the trailing magic. */
bool fpu_frame_magic2(uint32_t word);
/* area, holding xsize bytes of a program's fpstate (512 when xsize is 0),
 * checked and completed for fpu_restore: 0, or -EINVAL for what would
 * make the restore fault (Linux: SIGSEGV). */
int fpu_frame_load(void *area, size_t xsize);

/* trap.c / trap.S */
/* Boot only: every vector to its stub (NMI, double fault and machine check
 * on IST stacks; int3 callable from user mode), then LIDT. */
void trap_init(void);
/* The IDT trap_init built, loaded on this CPU (an AP's). */
void trap_load_idt(void);
/* fn runs for each interrupt on vector, interrupts off, then the local
 * APIC gets its EOI; one handler per vector, the last registered wins. */
void irq_register(uint8_t vector, void (*fn)(struct trapframe *));
/* Prints tf's registers and, for a kernel-mode frame, the backtrace. */
void trap_dump(const struct trapframe *tf);
/* Prints the call chain of its caller, symbolised. */
void backtrace_here(void);
/* Restores all of tf (which becomes the stack) and IRETQs to it. */
__noreturn void trap_return_to(struct trapframe *tf);
/* Saves the callee-saved registers and RFLAGS on this stack, stores the
 * stack pointer in *save_sp, and continues on next_sp where an earlier
 * arch_switch (or thread_trampoline's frame) left off.  Scheduler only. */
void arch_switch(uint64_t *save_sp, uint64_t next_sp);
/* Where a new thread's first switch lands: sched_thread_start, then the
 * return to user mode through the trapframe on top of its stack. */
extern char thread_trampoline[];

/* apic.c: the local APIC and its one-shot timer. */
/* Boot only, before clock_init: masks the 8259s, enables and maps the
 * local APIC and starts its timer counting; apic_calibrate, right after
 * clock_init, measures the timer's rate against the TSC over the time
 * clock_init took (at least 2 ms) and makes the timer one-shot. */
void apic_init(void);
void apic_calibrate(void);
/* Ends the interrupt being serviced (the trap dispatcher does it). */
void apic_eoi(void);
/* The task priority: interrupts of a vector class (vector >> 4) at or
 * below tpr >> 4 wait in the APIC until it is lowered. */
void apic_set_tpr(uint32_t tpr);
/* Interrupt after ns nanoseconds (0: cancel). */
void apic_timer_arm(uint64_t ns);
/* An AP's own local APIC, on the AP: enabled, its timer one-shot and
 * unarmed. */
void apic_init_ap(void);
/* This CPU's local APIC ID. */
uint8_t apic_id(void);
/* Sends the IPI icr (the ICR's low word: vector, delivery mode, level)
 * to the local APIC dest and waits, at most 1 ms, until it has left: 0
 * or -ETIMEDOUT. */
int apic_ipi(uint8_t dest, uint32_t icr);

/* smp.c: the application processors.  smp_init (boot only, after
 * apic_init, with the RSDP's bytes if the boot protocol gave them, else
 * NULL) finds them in the ACPI MADT or the MP table and gives each its
 * stacks; smp_send_startup starts them with INIT-SIPI-SIPI (once: later calls
 * do nothing); smp_wait (boot only, before the program; it calls
 * smp_send_startup if nobody did) waits for them, bounded, counts them and sets
 * smp_multi.  They park, interrupts on, with nothing scheduled on them. */
#define SMP_CPUS_MAX 64
#define SMP_TRAMP_PA 0x8000 /* the start page below 1 MiB (smp_tramp.S) */
void smp_init(const void *rsdp);
void smp_send_startup(void);
void smp_wait(void);
/* The CPUs described (the boot CPU included, at most SMP_CPUS_MAX), and
 * those running the kernel now: the boot CPU and the APs that started. */
unsigned smp_cpus_found(void);
unsigned smp_cpus_up(void);
/* CPU i (0 .. smp_cpus_found() - 1) if it is online, else NULL. */
struct cpu *smp_cpu(unsigned i);
/* Boot only, on the boot CPU (the scheduler's init): each AP leaves its
 * park and runs fn, its idle loop, once it is kicked (smp_kick). */
void smp_start_aps(__noreturn void (*fn)(void));

/* smp_ipi.c: the big kernel lock (BKL) and the IPIs.  Every entry from
 * user mode and every interrupt takes the BKL; it is held across
 * schedule() (owned by the CPU, not the thread) and released on the
 * return to user mode and around the idle hlt.  Boot runs holding it. */
/* Takes the BKL: true, or false if this CPU holds it already (a fault
 * or interrupt nested in kernel code).  While it waits it answers TLB
 * quiesces and stops. */
/* What the BKL and the IPIs cost, for gorump.stats: kernel entries that
 * took the lock, those that found it held, their wait-loop turns and the
 * halts in those waits, whole-TLB flushes at entry, shootdown pauses,
 * reschedule IPIs.  Updated under the BKL. */
struct smp_stats {
    uint64_t enters, contended, spins, halts, flushes, quiesces, kicks;
    uint64_t shot_cpus; /* CPUs paused; quiesces: holds that paused any */
};
extern struct smp_stats smp_stats;
bool bkl_enter(void);
/* Reads the BKL's kernel arguments (gorump.bkl-halt), before smp_multi. */
void smp_ipi_init(void);
/* Releases it; to_user: this CPU goes back to user mode (it may then
 * hold stale TLB entries and must answer quiesces). */
void bkl_leave(bool to_user);
/* Whether this CPU holds the BKL (for assertions). */
bool bkl_held(void);
/* The reschedule IPI to c (a halted CPU wakes, a running one enters the
 * kernel and looks at its signals and need_resched). */
void smp_kick(struct cpu *c);
/* The handler of VEC_TLB, VEC_STOP and VEC_BKL, without the BKL
 * (trap.c). */
void smp_ipi_lockless(uint64_t vector);
/* membarrier(2): every other CPU running user code takes an interrupt
 * (which serialises it) and answers before this returns; then a fence
 * here. */
void smp_membarrier(void);
/* Halts every other CPU for good (exit, on the boot CPU). */
void smp_stop_others(void);
/* For a panic: stops the other CPUs and waits, at most 100 ms (one may
 * spin with interrupts off where a bug left it), until they have halted;
 * returns how many did, and how many other CPUs there are in *others. */
unsigned smp_stop_for_panic(unsigned *others);
/* This CPU halts for good: releases the BKL first (an AP's exit hands the
 * rest to the boot CPU). */
__noreturn void smp_park_forever(void);

/* ioapic.c: vectors for device interrupts, the MSI address of this CPU,
 * and the I/O APIC that turns wired interrupts (GSIs) into vectors.  Only
 * one I/O APIC is supported, at 0xfec00000 with GSIs from 0 (QEMU's
 * microvm and q35, Firecracker); it is mapped on first use, so a machine
 * without wired devices never touches it. */
#define VEC_DEVICE_FIRST 0x30
#define VEC_DEVICE_LAST 0xdf
/* A vector nothing else uses, or -ENOSPC. */
int irq_vector_alloc(void);
/* The MSI/MSI-X message address that targets this CPU (fixed delivery,
 * physical destination; Intel SDM vol. 3 §10.11.1); the data is the
 * vector. */
uint32_t irq_msi_address(void);
/* Routes gsi to vector on this CPU: fixed delivery, edge-triggered,
 * active high, left masked.  0, -ENODEV (no I/O APIC), -EINVAL (no such
 * pin) or -EBUSY (the pin is routed already). */
int ioapic_route(unsigned gsi, uint8_t vector);
/* Masks / unmasks a pin ioapic_route set up (a driver holding back or
 * taking its interrupts). */
void ioapic_mask(unsigned gsi);
void ioapic_unmask(unsigned gsi);

/* 1 << MAXPHYADDR (CPUID 0x80000008, else 36 bits): a device address at
 * or above it would set reserved bits in a page-table entry. */
static inline uint64_t cpu_phys_limit(void)
{
    uint32_t r[4];
    cpuid(0x80000000, 0, r);
    if (r[0] < 0x80000008)
        return 1ULL << 36;
    cpuid(0x80000008, 0, r);
    return 1ULL << (r[0] & 0xff);
}

/* clock.c: TSC-based clocks, calibrated at boot, real time from the RTC. */
/* Boot only, once pages can be mapped: the TSC rate (CPUID, else 5 ms of
 * the PIT) and the wall time (CMOS RTC). */
void clock_init(void);
/* Nanoseconds since the kernel's first instruction (CLOCK_MONOTONIC). */
uint64_t clock_mono_ns(void);
/* Nanoseconds since the epoch (CLOCK_REALTIME): the RTC at boot plus the
 * monotonic time since (it never steps). */
uint64_t clock_real_ns(void);
/* TSC ticks per second, as calibrated. */
uint64_t clock_tsc_hz(void);
struct vdso_data;
/* What the vDSO needs to compute the clocks as clock_mono_ns and
 * clock_real_ns do (arch/x86_64/vdso/vdso.h). */
void clock_vdso_data(struct vdso_data *d);
/* A TSC interval in nanoseconds. */
uint64_t clock_tsc_to_ns(uint64_t tsc_delta);
extern uint64_t boot_tsc; /* TSC at the first kernel instruction */
extern uint32_t boot_mb2; /* 1: entered through Multiboot2 (boot.S) */

static inline void cpu_relax_halt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* Interrupts off on this CPU (they already are anywhere in the kernel but
 * the idle loop; panic makes sure). */
static inline void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* poweroff.c: stops the machine with a status QEMU's isa-debug-exit
 * reports (2 * status + 1); the default halt of lib/kmsg.c.  Whatever the
 * host must see has to be drained first (the sinks' stop does it). */
__noreturn void arch_poweroff(int status);

#endif
