/*
 * arch/x86_64/smp_ipi.c — what lets several CPUs run the one kernel: the
 * big kernel lock (BKL), the reschedule and stop IPIs, and the TLB
 * shootdown (docs/ARCHITECTURE.md, "SMP").
 *
 * The BKL is a test-and-test-and-set spinlock owned by a CPU, not a
 * thread: taken on every entry from user mode and every interrupt, held
 * across schedule() (the thread switched to releases it on its way to
 * user mode, on whichever CPU), released on the return to user mode and
 * around the idle loop's hlt.  Kernel code runs with interrupts off, so a
 * CPU waiting for the BKL does not take the IPIs of the scheduler: its
 * wait loop answers the holder's TLB quiesce and the stop itself.  Not a
 * ticket lock: a CPU stopped while waiting must not hold a place in line.
 *
 * A waiter that has spun BKL_SPINS_BEFORE_HALT turns halts instead
 * (bkl_halt): on a host with fewer free CPUs than vCPUs, its spinning
 * takes the host CPU the holder (or the device emulation the holder waits
 * for) needs.  It halts with interrupts on and the task priority raised
 * so that only the BKL-free IPIs (VEC_TLB, VEC_STOP and VEC_BKL, the top
 * priority class) come in; the releaser sends VEC_BKL to every halted
 * waiter.  The waiter counts itself in bkl.sleepers before it looks at the
 * lock a last time, and the releaser frees the lock before it reads
 * bkl.sleepers, both with full barriers: either the waiter sees the lock
 * free and does not halt, or the releaser sees it and wakes it (an IPI
 * that comes before the hlt is pending and ends it at once).
 *
 * TLB shootdown: the first removal or narrowing of a user page-table
 * entry in a BKL hold (invlpg in arch.h) pauses, by a VEC_TLB IPI, every
 * other CPU that has the same tables loaded (tlb_root) and may be running
 * the program (in_user: it left the BKL for user mode and has not taken it
 * since).  The handler takes no lock: it answers and spins until the
 * holder releases the BKL, then flushes its TLB.  Every CPU with those
 * tables loaded is marked (tlb_pending) and flushes when it next gets the
 * BKL: one waiting for it (which answered from its wait loop) or one idle
 * with them still loaded.  A CPU with other tables loaded holds no entry
 * of them (a CR3 load drops every non-global entry), so it is left alone:
 * a process that changes its own mappings, or the kernel building or
 * tearing down a space no CPU runs, stops nobody.  A change of a kernel
 * address bumps the flush generation instead, which every CPU compares
 * at its next entry.  So no CPU touches user memory through an old entry
 * after the change, and the pages the holder frees cannot be written by
 * one.  The tables loaded change only under the BKL (tlb_load), so the
 * holder's view of them stays true for its hold.
 */
#include "arch/x86_64/arch.h"

bool smp_multi;
struct smp_stats smp_stats;

static struct {
    volatile uint32_t locked;
    volatile unsigned owner; /* holder's id + 1; 0: none */
    /* TLB: quiesce generation and whether one is running, and the flush
     * generation each CPU catches up with (bumped at release when the
     * holder changed entries). */
    volatile uint32_t qgen, gen;
    volatile bool quiesced;
    bool dirty;                /* a kernel address changed in this hold */
    const uint64_t *shot;      /* the user tables last shot down in this hold */
    volatile unsigned stopper; /* the CPU that stopped the others, id + 1 */
    volatile unsigned sleepers;    /* waiters halted or about to (bkl_halt) */
} bkl = {.locked = 1, .owner = 1}; /* the boot CPU, from the start */

bool bkl_held(void)
{
    return bkl.owner == this_cpu()->id + 1;
}

static void flush_all(struct cpu *c)
{
    c->tlb_gen = __atomic_load_n(&bkl.gen, __ATOMIC_ACQUIRE);
    write_cr3(read_cr3()); /* no PGE: this drops every entry */
}

static __noreturn void halt_forever(struct cpu *c)
{
    c->in_user = false;
    __atomic_store_n(&c->stopped, true, __ATOMIC_RELEASE);
    for (;;)
        __asm__ volatile("cli; hlt" ::: "memory");
}

static bool stopped_by_other(const struct cpu *c)
{
    unsigned s = __atomic_load_n(&bkl.stopper, __ATOMIC_ACQUIRE);
    return s && s != c->id + 1;
}

/* What a CPU waiting for the BKL answers (interrupts are off). */
static void wait_poll(struct cpu *c)
{
    if (stopped_by_other(c))
        halt_forever(c);
    uint32_t q = __atomic_load_n(&bkl.qgen, __ATOMIC_ACQUIRE);
    if (c->tlb_ack != q)
        __atomic_store_n(&c->tlb_ack, q, __ATOMIC_RELEASE);
    __builtin_ia32_pause();
}

/* Halts until the BKL's release (see the top); true if it halted. */
static bool bkl_halt(struct cpu *c)
{
    bool halted = false;
    __atomic_store_n(&c->bkl_halted, true, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&bkl.sleepers, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&bkl.locked, __ATOMIC_SEQ_CST) &&
        !stopped_by_other(c)) {
        apic_set_tpr(0xe0); /* above every vector but the BKL-free IPIs */
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        apic_set_tpr(0);
        halted = true;
    }
    __atomic_sub_fetch(&bkl.sleepers, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&c->bkl_halted, false, __ATOMIC_RELEASE);
    return halted;
}

/* About 20 to 50 microseconds of pause under TCG; a few under KVM.  The
 * kernel argument gorump.bkl-halt makes it 1, for the tests: every wait
 * then halts. */
#define BKL_SPINS_BEFORE_HALT 2048
static unsigned bkl_spin_limit = BKL_SPINS_BEFORE_HALT;

void smp_ipi_init(void)
{
    if (cmdline_has("gorump.bkl-halt"))
        bkl_spin_limit = 1;
}

bool bkl_enter(void)
{
    struct cpu *c = this_cpu();
    if (bkl.owner == c->id + 1)
        return false;
    if (smp_multi) {
        uint64_t spins = 0, halts = 0;
        while (__atomic_exchange_n(&bkl.locked, 1, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&bkl.locked, __ATOMIC_RELAXED)) {
                wait_poll(c);
                if (++spins % bkl_spin_limit == 0)
                    halts += bkl_halt(c);
            }
        if (stopped_by_other(c))
            halt_forever(c);
        smp_stats.enters++;
        smp_stats.contended += spins != 0;
        smp_stats.spins += spins;
        smp_stats.halts += halts;
        if (c->tlb_gen != bkl.gen || c->tlb_pending) {
            flush_all(c);
            c->tlb_pending = false;
            smp_stats.flushes++;
        }
    }
    c->in_user = false;
    bkl.owner = c->id + 1;
    return true;
}

void bkl_leave(bool to_user)
{
    struct cpu *c = this_cpu();
    assert(bkl.owner == c->id + 1);
    if (bkl.dirty) {
        /* The holder's own entries went one by one (invlpg_local). */
        c->tlb_gen = ++bkl.gen;
        bkl.dirty = false;
    }
    bkl.shot = NULL;
    if (bkl.quiesced)
        __atomic_store_n(&bkl.quiesced, false, __ATOMIC_RELEASE);
    c->in_user = to_user;
    bkl.owner = 0;
    __atomic_store_n(&bkl.locked, 0, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&bkl.sleepers, __ATOMIC_SEQ_CST)) {
        for (unsigned i = 0; i < smp_cpus_found(); i++) {
            struct cpu *w = smp_cpu(i);
            if (w && w != c &&
                __atomic_load_n(&w->bkl_halted, __ATOMIC_ACQUIRE))
                apic_ipi(w->apic_id, VEC_BKL);
        }
    }
}

/* Pauses every other CPU that may run user code with the tables rooted
 * at root loaded, and marks each of those for a flush (all: every CPU
 * running user code, unmarked: membarrier), and waits for each to
 * answer.  One quiesce generation per BKL hold: a CPU paused for one
 * space stays paused while the holder changes another. */
static void quiesce(const uint64_t *root, bool all)
{
    struct cpu *me = this_cpu();
    static uint32_t counted; /* the last quiesce in smp_stats */
    if (!bkl.quiesced) {
        ++bkl.qgen;
        __atomic_store_n(&bkl.quiesced, true, __ATOMIC_SEQ_CST);
    }
    uint32_t q = bkl.qgen;
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (!c || c == me || (!all && c->tlb_root != root))
            continue;
        c->tlb_pending |= !all;
        if (c->in_user && c->tlb_asked != q) {
            c->tlb_asked = q;
            apic_ipi(c->apic_id, VEC_TLB);
            smp_stats.shot_cpus++;
            smp_stats.quiesces += counted != q;
            counted = q;
        }
    }
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (!c || c == me || c->tlb_asked != q)
            continue;
        while (__atomic_load_n(&c->in_user, __ATOMIC_ACQUIRE) &&
               __atomic_load_n(&c->tlb_ack, __ATOMIC_ACQUIRE) != q)
            __builtin_ia32_pause();
    }
}

void tlb_shootdown(const uint64_t *root, uint64_t va)
{
    assert(bkl_held());
    if (!root || va >= USER_TOP)
        bkl.dirty = true;
    else if (root != bkl.shot) {
        /* Every later change to these tables in this hold is covered:
         * no CPU loads them before the release. */
        bkl.shot = root;
        quiesce(root, false);
    }
}

/* The pause a shootdown uses does it: the CPUs answer from an interrupt
 * handler and flush (needlessly) at the release. */
void smp_membarrier(void)
{
    assert(bkl_held());
    if (smp_multi)
        quiesce(NULL, true);
    __asm__ volatile("mfence" ::: "memory");
}

void smp_ipi_lockless(uint64_t vector)
{
    if (vector == VEC_BKL)
        return; /* it ended a halt in bkl_halt: nothing more */
    struct cpu *c = this_cpu();
    if (vector == VEC_STOP)
        halt_forever(c);
    uint32_t q = __atomic_load_n(&bkl.qgen, __ATOMIC_ACQUIRE);
    if (__atomic_load_n(&bkl.quiesced, __ATOMIC_ACQUIRE) && c->tlb_ack != q) {
        __atomic_store_n(&c->tlb_ack, q, __ATOMIC_RELEASE);
        while (__atomic_load_n(&bkl.quiesced, __ATOMIC_ACQUIRE) &&
               __atomic_load_n(&bkl.qgen, __ATOMIC_ACQUIRE) == q)
            wait_poll(c);
    }
    flush_all(c);
}

void smp_kick(struct cpu *c)
{
    if (c != this_cpu()) {
        apic_ipi(c->apic_id, VEC_RESCHED);
        smp_stats.kicks++;
    }
}

void smp_stop_others(void)
{
    if (!smp_multi)
        return;
    struct cpu *me = this_cpu();
    __atomic_store_n(&bkl.stopper, me->id + 1, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (c && c != me && !c->stopped)
            apic_ipi(c->apic_id, VEC_STOP);
    }
}

unsigned smp_stop_for_panic(unsigned *others)
{
    *others = 0;
    if (!smp_multi)
        return 0;
    smp_stop_others();
    struct cpu *me = this_cpu();
    unsigned n = smp_cpus_found(), stopped = 0;
    uint64_t deadline = clock_mono_ns() + 100 * 1000000ULL;
    for (;;) {
        stopped = 0;
        *others = 0;
        for (unsigned i = 0; i < n; i++) {
            struct cpu *c = smp_cpu(i);
            if (c && c != me) {
                (*others)++;
                stopped += __atomic_load_n(&c->stopped, __ATOMIC_ACQUIRE);
            }
        }
        if (stopped == *others || clock_mono_ns() > deadline)
            return stopped;
        __builtin_ia32_pause();
    }
}

__noreturn void smp_park_forever(void)
{
    if (bkl_held())
        bkl_leave(false);
    halt_forever(this_cpu());
}
