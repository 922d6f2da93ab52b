/*
 * proc/sched.c — the scheduler: a round-robin run queue on one CPU with a
 * 10 ms time slice, sleeping on wait queues with optional deadlines, and a
 * one-shot timer re-armed for the next event (slice end or the earliest
 * deadline), so an idle guest takes no interrupts.  The boot context becomes
 * the idle thread.
 *
 * Wake-up preemption: a thread woken while another runs does not wait for
 * the end of that one's slice (up to 10 ms: a server's network thread
 * behind a busy goroutine) but only until the running thread has had
 * WAKEUP_GRAN_NS since it was scheduled, as Linux's CFS lets a woken task
 * preempt one that has run longer than its wake-up granularity.  Threads
 * that run briefly and block (ping-pong over a futex) are not preempted
 * at every wake-up.
 */
#include "proc/proc.h"
#include "mm/mm.h"

#define SLICE_NS 10000000UL
#define WAKEUP_GRAN_NS 1000000UL /* Linux's sched_wakeup_granularity_ns */

static struct {
    struct list runq;    /* runnable threads but the current one */
    struct list timers;  /* sleeping threads with a deadline */
    struct list ktimers; /* kernel callbacks with a deadline */
    struct thread idle;  /* the boot context */
    uint64_t slice_start;
    uint64_t preempt_at; /* a woken thread waits until then; 0: none */
} sched;

#define RUN_THREAD(l) container_of(l, struct thread, run_link)
#define TIMER_THREAD(l) container_of(l, struct thread, timer_link)

#define KTIMER(l) container_of(l, struct ktimer, link)

void ktimer_arm(struct ktimer *t, uint64_t deadline)
{
    if (t->armed)
        list_del(&t->link);
    t->deadline = deadline;
    t->armed = true;
    list_add_tail(&sched.ktimers, &t->link);
}

void ktimer_cancel(struct ktimer *t)
{
    if (t->armed)
        list_del(&t->link);
    t->armed = false;
}

static void timer_rearm(uint64_t now)
{
    uint64_t next = UINT64_MAX;
    list_for_each(l, &sched.timers) next = MIN(next, TIMER_THREAD(l)->deadline);
    list_for_each(l, &sched.ktimers) next = MIN(next, KTIMER(l)->deadline);
    if (!list_empty(&sched.runq) && current() != &sched.idle) {
        next = MIN(next, sched.slice_start + SLICE_NS);
        if (sched.preempt_at)
            next = MIN(next, sched.preempt_at);
    }
    if (next == UINT64_MAX)
        apic_timer_arm(0);
    else
        apic_timer_arm(next > now ? next - now : 1);
}

static void expire_timers(uint64_t now)
{
    list_for_each(l, &sched.timers)
    {
        struct thread *t = TIMER_THREAD(l);
        if (t->deadline <= now)
            sched_wake(t, -ETIMEDOUT);
    }
    /* A callback may re-arm its own timer, or others: restart the scan
     * after each one. */
    bool again = true;
    while (again) {
        again = false;
        list_for_each(l, &sched.ktimers)
        {
            struct ktimer *t = KTIMER(l);
            if (t->deadline > now)
                continue;
            ktimer_cancel(t);
            t->fn(t->arg);
            again = true;
            break;
        }
    }
}

void sched_run_timers(void)
{
    expire_timers(clock_mono_ns());
    timer_rearm(clock_mono_ns());
}

static void timer_irq(struct trapframe *tf)
{
    (void)tf;
    uint64_t now = clock_mono_ns();
    expire_timers(now);
    if (current() != &sched.idle && !list_empty(&sched.runq) &&
        (now - sched.slice_start >= SLICE_NS ||
         (sched.preempt_at && now >= sched.preempt_at)))
        this_cpu()->need_resched = true;
    timer_rearm(now);
}

/* A thread was woken: the running one gives way now if it has had its
 * wake-up granularity, else when it has (the timer is armed for it). */
static void wakeup_preempt(void)
{
    if (current() == &sched.idle)
        return; /* the idle loop runs it as soon as it looks */
    uint64_t now = clock_mono_ns(), at = sched.slice_start + WAKEUP_GRAN_NS;
    if (now >= at) {
        this_cpu()->need_resched = true;
        return;
    }
    if (!sched.preempt_at || at < sched.preempt_at) {
        sched.preempt_at = at;
        timer_rearm(now);
    }
}

void sched_init(void)
{
    list_init(&sched.runq);
    list_init(&sched.timers);
    list_init(&sched.ktimers);
    sched.idle.state = THREAD_RUNNABLE;
    list_init(&sched.idle.run_link);
    this_cpu()->current = &sched.idle;
    irq_register(VEC_TIMER, timer_irq);
}

void sched_add(struct thread *t)
{
    bool first = list_empty(&sched.runq);
    t->state = THREAD_RUNNABLE;
    list_add_tail(&sched.runq, &t->run_link);
    /* A thread running alone has no slice timer; now it has company, so
     * it gets one (it may spin in user mode and never enter the kernel). */
    if (first && current() != &sched.idle)
        timer_rearm(clock_mono_ns());
}

void schedule(void)
{
    struct thread *prev = current(), *next = &sched.idle;
    uint64_t now = clock_mono_ns(), tsc = rdtsc();

    this_cpu()->need_resched = false;
    sched.preempt_at = 0;
    if (prev != &sched.idle && prev->state == THREAD_RUNNABLE)
        list_add_tail(&sched.runq, &prev->run_link);
    if (!list_empty(&sched.runq)) {
        next = RUN_THREAD(sched.runq.next);
        list_del(&next->run_link);
    }
    this_cpu()->current = next;
    sched.slice_start = now;
    timer_rearm(now);
    if (next == prev)
        return;

    prev->cpu_ns += clock_tsc_to_ns(tsc - prev->run_start);
    next->run_start = tsc;
    if (prev != &sched.idle)
        fpu_save(prev->fpu);
    if (next != &sched.idle) {
        fpu_restore(next->fpu);
        wrmsr(MSR_FS_BASE, next->fs_base);
        cpu_set_kstack(next->kstack + KSTACK_SIZE);
    }
    arch_switch(&prev->ksp, next->ksp);
}

__noreturn void sched_idle_loop(void)
{
    for (;;) {
        uint64_t now = clock_mono_ns();
        expire_timers(now);
        if (!list_empty(&sched.runq)) {
            schedule();
            continue;
        }
        timer_rearm(now);
        cpu_relax_halt();
    }
}

void waitq_init(struct waitq *wq)
{
    list_init(&wq->waiters);
}

int sched_sleep(struct waitq *wq, uint64_t deadline)
{
    struct thread *t = current();
    if (signal_pending(t))
        return -EINTR;
    if (deadline && deadline <= clock_mono_ns())
        return -ETIMEDOUT;
    t->state = THREAD_SLEEPING;
    t->wake_reason = 0;
    if (wq)
        list_add_tail(&wq->waiters, &t->run_link);
    else
        list_init(&t->run_link);
    t->deadline = deadline;
    if (deadline)
        list_add_tail(&sched.timers, &t->timer_link);
    schedule();
    return t->wake_reason;
}

void sched_wake(struct thread *t, int reason)
{
    if (t->state != THREAD_SLEEPING)
        return;
    list_del(&t->run_link);
    if (t->deadline) {
        list_del(&t->timer_link);
        t->deadline = 0;
    }
    t->wake_reason = reason;
    sched_add(t);
    wakeup_preempt();
}

int waitq_wake(struct waitq *wq, int n)
{
    int woken = 0;
    list_for_each(l, &wq->waiters)
    {
        if (n >= 0 && woken >= n)
            break;
        sched_wake(RUN_THREAD(l), 0);
        woken++;
    }
    return woken;
}

void user_return(struct trapframe *tf)
{
    /* Every entry clears AC (FMASK for SYSCALL, trap.S for the rest): if
     * a program's AC got this far, SMAP would not stop a stray kernel
     * access to its memory. */
    assert(!(read_rflags() & RFLAGS_AC));
    for (;;) {
        if (this_cpu()->need_resched)
            schedule();
        if (!signal_pending(current()))
            return;
        signal_deliver(tf);
    }
}
