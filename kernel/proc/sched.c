/*
 * proc/sched.c — the scheduler: a round-robin run queue per CPU with a
 * 10 ms time slice, sleeping on wait queues with optional deadlines, and
 * on each CPU a one-shot timer re-armed for its next event (slice end or,
 * on the boot CPU, the earliest deadline), so an idle guest takes no
 * interrupts.  The boot context becomes CPU 0's idle thread, each AP's
 * start context its own.  Everything here runs under the BKL
 * (arch/x86_64/smp_ipi.c).  The deadline lists are the boot CPU's to
 * watch, as are the device interrupts.
 *
 * Placement and balance: a thread made runnable goes to a halted CPU it
 * may run on (the one it last ran on first), kicked by an IPI; with none
 * halted, to the least loaded (queued plus running), its last CPU on a
 * tie.  A CPU whose queue is empty takes work from the longest other
 * queue (the thread queued last there, the coldest) before it halts, and
 * at the end of each slice a CPU pulls one thread from a queue longer
 * than its own (balance()), so CPU-bound threads share the CPUs fairly.
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
#include "fs/mount.h"
#include "mm/mm.h"

#define SLICE_NS 10000000UL
#define WAKEUP_GRAN_NS 1000000UL /* Linux's sched_wakeup_granularity_ns */

static struct {
    struct list bootq;   /* runnable threads only the boot CPU runs (exit) */
    uint64_t load_at;    /* the end of the load average's last period */
    uint64_t avenrun[3]; /* 1, 5, 15 minutes; fixed point, LOAD_SHIFT bits */
    struct list timers;  /* sleeping threads with a deadline */
    struct list ktimers; /* kernel callbacks with a deadline */
    struct thread idle0; /* the boot context, CPU 0's idle thread */
} sched;

/* The load average as Linux keeps it: every 5 s, each average decays by
 * exp(-5 s / its span) towards the threads running and queued, in fixed
 * point of 11 bits (1884, 2014 and 2037 are 2048 * exp(-5/60), -5/300
 * and -5/900). */
#define LOAD_PERIOD_NS 5000000000UL
#define LOAD_SHIFT 11
static const uint64_t load_exp[3] = {1884, 2014, 2037};

#define RUN_THREAD(l) container_of(l, struct thread, run_link)
#define TIMER_THREAD(l) container_of(l, struct thread, timer_link)

#define KTIMER(l) container_of(l, struct ktimer, link)

/* The timer lists are the boot CPU's to watch: a deadline earlier than
 * the one its timer is armed for, set on another CPU, kicks it. */
static void deadline_added(uint64_t deadline)
{
    if (this_cpu()->id != 0 && (!cpu0.timer_at || deadline < cpu0.timer_at))
        smp_kick(&cpu0);
}

void ktimer_arm(struct ktimer *t, uint64_t deadline)
{
    if (t->armed)
        list_del(&t->link);
    t->deadline = deadline;
    t->armed = true;
    list_add_tail(&sched.ktimers, &t->link);
    deadline_added(deadline);
}

void ktimer_cancel(struct ktimer *t)
{
    if (t->armed)
        list_del(&t->link);
    t->armed = false;
}

static bool runs_on(const struct thread *t, const struct cpu *c)
{
    return !t->affinity || (t->affinity >> c->id & 1);
}

static void rq_add(struct cpu *c, struct thread *t)
{
    t->state = THREAD_RUNNABLE;
    list_add_tail(&c->runq, &t->run_link);
    t->rq = c;
    c->nr_queued++;
}

static void rq_del(struct thread *t)
{
    list_del(&t->run_link);
    t->rq->nr_queued--;
    t->rq = NULL;
}

/* The first thread of c's own queue (it may run on c), or NULL. */
static struct thread *first_own(const struct cpu *c)
{
    list_for_each(l, &c->runq)
    {
        if (runs_on(RUN_THREAD(l), c))
            return RUN_THREAD(l);
    }
    return NULL;
}

/* The last thread queued on q that may run on c, or NULL. */
static struct thread *last_for(const struct cpu *q, const struct cpu *c)
{
    for (struct list *l = q->runq.prev; l != &q->runq; l = l->prev)
        if (runs_on(RUN_THREAD(l), c))
            return RUN_THREAD(l);
    return NULL;
}

/* A thread c may take from the longest other queue holding at least min
 * (taken off it when take), or NULL. */
static struct thread *steal(struct cpu *c, unsigned min, bool take)
{
    struct thread *best = NULL;
    for (unsigned i = 0; smp_multi && i < smp_cpus_found(); i++) {
        struct cpu *q = smp_cpu(i);
        if (!q || q == c || q->nr_queued < min ||
            (best && q->nr_queued <= best->rq->nr_queued))
            continue;
        struct thread *t = last_for(q, c);
        if (t)
            best = t;
    }
    if (best && take) {
        rq_del(best);
        c->steals++;
    }
    return best;
}

/* Work c has of its own: its queue, and the boot CPU's own queue. */
static bool own_work(const struct cpu *c)
{
    return (c->id == 0 && !list_empty(&sched.bootq)) || first_own(c);
}

/* Work an idle c would run: its own, or another CPU's queued thread. */
static bool has_work(struct cpu *c)
{
    return own_work(c) || steal(c, 1, false);
}

/* Queued plus running: what placement and balance compare (an AP not
 * yet in its idle loop has neither). */
static unsigned cpu_load(const struct cpu *c)
{
    return c->nr_queued + (c->current != c->idle);
}

/* The slice tick's balance: c, whose thread has had its slice, pulls
 * the coldest thread of a queue longer than its own and runs it next.
 * Three CPU-bound threads on two CPUs so rotate over both and each gets
 * two thirds of a CPU, instead of one a whole CPU and two a half. */
static void balance(struct cpu *c)
{
    struct thread *t = steal(c, c->nr_queued + 1, true);
    if (t)
        rq_add(c, t);
}

unsigned sched_nr_running(void)
{
    unsigned n = 0;
    list_for_each(l, &sched.bootq) n++;
    for (unsigned i = 0; i < smp_cpus_found(); i++)
        if (smp_cpu(i))
            n += cpu_load(smp_cpu(i));
    return n;
}

/* Brings the averages up to now.  Called before every change of the
 * count (enqueue, schedule) and when they are read, so the count was the
 * same through every period it applies to here: no timer needs to wake
 * an idle guest every 5 s for it. */
static void load_update(uint64_t now)
{
    if (now < sched.load_at + LOAD_PERIOD_NS)
        return;
    uint64_t n = (uint64_t)sched_nr_running() << LOAD_SHIFT;
    /* After 15 minutes of the same count every average has reached it
     * (to the last fixed-point bit): no more steps are needed. */
    for (unsigned k = 0; k < 180 && now >= sched.load_at + LOAD_PERIOD_NS;
         k++) {
        sched.load_at += LOAD_PERIOD_NS;
        for (int i = 0; i < 3; i++)
            sched.avenrun[i] = (sched.avenrun[i] * load_exp[i] +
                                n * ((1 << LOAD_SHIFT) - load_exp[i])) >>
                               LOAD_SHIFT;
    }
    if (now >= sched.load_at + LOAD_PERIOD_NS)
        sched.load_at = now - (now - sched.load_at) % LOAD_PERIOD_NS;
}

/* This CPU's timer: the end of its thread's slice when others wait (with
 * more than one CPU, always: another CPU may queue one at any time), a
 * pending wake-up preemption and, on the boot CPU, the deadlines. */
static void timer_rearm(uint64_t now)
{
    struct cpu *c = this_cpu();
    uint64_t next = UINT64_MAX;
    if (c->id == 0) {
        list_for_each(l, &sched.timers) next =
            MIN(next, TIMER_THREAD(l)->deadline);
        list_for_each(l, &sched.ktimers) next = MIN(next, KTIMER(l)->deadline);
    }
    if ((own_work(c) || smp_multi) && current() != c->idle) {
        next = MIN(next, c->slice_start + SLICE_NS);
        if (c->preempt_at)
            next = MIN(next, c->preempt_at);
    }
    c->timer_at = next == UINT64_MAX ? 0 : next;
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
    if (this_cpu()->id == 0)
        expire_timers(clock_mono_ns());
    timer_rearm(clock_mono_ns());
}

static void timer_irq(struct trapframe *tf)
{
    (void)tf;
    struct cpu *c = this_cpu();
    uint64_t now = clock_mono_ns();
    if (c->id == 0)
        expire_timers(now);
    bool due = now - c->slice_start >= SLICE_NS ||
               (c->preempt_at && now >= c->preempt_at);
    if (current() != c->idle && due) {
        balance(c);
        if (own_work(c)) {
            c->need_resched = true;
        } else if (smp_multi) { /* alone for now: a new slice */
            c->slice_start = now;
            c->preempt_at = 0;
        }
    }
    timer_rearm(now);
}

static void wakeup_preempt(void);

/* A kick (smp_kick): a halted CPU wakes and its idle loop looks; a thread
 * queued here by another CPU preempts the running one as a local wake-up
 * would; the boot CPU re-arms for an earlier deadline or runs a thread
 * only it may run; a thread in user mode gets to its signals in
 * user_return. */
static void resched_irq(struct trapframe *tf)
{
    (void)tf;
    struct cpu *c = this_cpu();
    if (c->id == 0) {
        if (!list_empty(&sched.bootq) && current() != c->idle)
            c->need_resched = true;
        sched_run_timers();
    }
    if (first_own(c))
        wakeup_preempt();
}

/* A thread was queued on this CPU: the running one gives way now if it
 * has had its wake-up granularity, else when it has (the timer is armed
 * for it). */
static void wakeup_preempt(void)
{
    struct cpu *c = this_cpu();
    if (current() == c->idle)
        return; /* the idle loop runs it as soon as it looks */
    uint64_t now = clock_mono_ns(), at = c->slice_start + WAKEUP_GRAN_NS;
    if (now >= at) {
        c->need_resched = true;
        return;
    }
    if (!c->preempt_at || at < c->preempt_at) {
        c->preempt_at = at;
        timer_rearm(now);
    }
}

static __noreturn void ap_main(void)
{
    bkl_enter();
    struct cpu *c = this_cpu();
    struct thread *idle = kzalloc(sizeof(*idle));
    if (!idle)
        panic("out of memory for CPU %u's idle thread", c->id);
    idle->state = THREAD_RUNNABLE;
    list_init(&idle->run_link);
    idle->run_start = rdtsc();
    idle->oncpu = c;
    c->idle = c->current = idle;
    sched_idle_loop();
}

void sched_init(void)
{
    list_init(&cpu0.runq);
    list_init(&sched.bootq);
    list_init(&sched.timers);
    list_init(&sched.ktimers);
    sched.idle0.state = THREAD_RUNNABLE;
    list_init(&sched.idle0.run_link);
    sched.idle0.oncpu = &cpu0;
    cpu0.idle = cpu0.current = &sched.idle0;
    irq_register(VEC_TIMER, timer_irq);
    irq_register(VEC_RESCHED, resched_irq);
    smp_start_aps(ap_main);
}

/* Where t should run (header comment): a halted CPU, else the least
 * loaded; the CPU it last ran on wins ties. */
static struct cpu *choose_cpu(const struct thread *t)
{
    struct cpu *last = t->last_cpu, *best = NULL;
    if (last && last->halted && runs_on(t, last))
        return last;
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (!c || !runs_on(t, c))
            continue;
        if (c->halted)
            return c;
        if (!best || cpu_load(c) < cpu_load(best))
            best = c;
    }
    if (last && best && runs_on(t, last) && cpu_load(last) <= cpu_load(best))
        return last;
    /* None online may run it (its CPUs not up yet): the boot CPU holds
     * it until one of them takes it. */
    return best ? best : &cpu0;
}

/* Queues t on the CPU chosen for it; true if that is another CPU, which
 * was kicked to run it (from its halt, or preempting as a wake-up). */
static bool enqueue(struct thread *t)
{
    load_update(clock_mono_ns());
    struct cpu *c = choose_cpu(t);
    rq_add(c, t);
    if (c == this_cpu())
        return false;
    c->halted = false;
    smp_kick(c);
    return true;
}

void sched_add(struct thread *t)
{
    bool first = this_cpu()->nr_queued == 0;
    if (enqueue(t))
        return;
    /* A thread running alone has no slice timer; now it has company, so
     * it gets one (it may spin in user mode and never enter the kernel). */
    if (first && current() != this_cpu()->idle)
        timer_rearm(clock_mono_ns());
}

void sched_poke(struct thread *t)
{
    if (t->oncpu && t->oncpu != this_cpu())
        smp_kick(t->oncpu);
}

uint64_t sched_online_mask(void)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < smp_cpus_found(); i++)
        if (smp_cpu(i))
            m |= 1ULL << i;
    return m;
}

int sched_set_affinity(struct thread *t, uint64_t mask)
{
    mask &= sched_online_mask();
    if (!mask)
        return -EINVAL;
    t->affinity = mask == sched_online_mask() ? 0 : mask;
    if (t->rq && !runs_on(t, t->rq)) { /* queued where it may not run */
        rq_del(t);
        enqueue(t);
    } else if (t->oncpu && !runs_on(t, t->oncpu)) {
        t->oncpu->need_resched = true; /* schedule() moves it */
        if (t->oncpu != this_cpu())
            smp_kick(t->oncpu);
    }
    return 0;
}

void sched_loadavg(uint64_t fp16[3])
{
    load_update(clock_mono_ns());
    for (int i = 0; i < 3; i++)
        fp16[i] = sched.avenrun[i] << (16 - LOAD_SHIFT);
}

/* The sum over the online CPUs of the uint64_t counter at offset off of
 * struct cpu. */
static uint64_t cpus_sum(size_t off)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < smp_cpus_found(); i++)
        if (smp_cpu(i))
            n += *(const uint64_t *)((const char *)smp_cpu(i) + off);
    return n;
}

uint64_t sched_switches(void)
{
    return cpus_sum(offsetof(struct cpu, switches));
}

uint64_t sched_steals(void)
{
    return cpus_sum(offsetof(struct cpu, steals));
}

uint64_t sched_cpu_busy_ns(unsigned i)
{
    struct cpu *c = smp_cpu(i);
    if (!c)
        return 0;
    uint64_t ns = c->busy_ns;
    uint64_t tsc = rdtsc(); /* the CPUs' TSCs agree, but not to a tick */
    if (c->current && c->current != c->idle && tsc > c->current->run_start)
        ns += clock_tsc_to_ns(tsc - c->current->run_start);
    return ns;
}

void sched_to_boot_cpu(void)
{
    struct thread *t = current();
    if (this_cpu()->id == 0)
        return;
    t->to_boot_cpu = true;
    smp_kick(&cpu0);
    schedule();
    assert(this_cpu()->id == 0);
}

/* The next thread for this CPU: the boot CPU's own queue first, then
 * this CPU's queue, then one taken from another's. */
static struct thread *pick_next(struct cpu *c)
{
    struct thread *next;
    if (c->id == 0 && !list_empty(&sched.bootq)) {
        next = RUN_THREAD(sched.bootq.next);
        list_del(&next->run_link);
        return next;
    }
    next = first_own(c);
    if (next) {
        rq_del(next);
        return next;
    }
    next = steal(c, 1, true);
    return next ? next : c->idle;
}

void schedule(void)
{
    struct cpu *c = this_cpu();
    struct thread *prev = current(), *next;
    uint64_t now = clock_mono_ns(), tsc = rdtsc();

    assert(bkl_held());
    load_update(now);
    c->need_resched = false;
    c->preempt_at = 0;
    if (prev != c->idle && prev->state == THREAD_RUNNABLE) {
        if (prev->to_boot_cpu)
            list_add_tail(&sched.bootq, &prev->run_link);
        else if (runs_on(prev, c))
            rq_add(c, prev);
        else
            enqueue(prev); /* its affinity changed */
        prev->to_boot_cpu = false;
    }
    next = pick_next(c);
    c->current = next;
    c->slice_start = now;
    timer_rearm(now);
    if (next == prev)
        return;

    c->switches++;
    prev->cpu_ns += clock_tsc_to_ns(tsc - prev->run_start);
    if (prev != c->idle)
        c->busy_ns += clock_tsc_to_ns(tsc - prev->run_start);
    next->run_start = tsc;
    prev->oncpu = NULL;
    next->oncpu = c;
    next->last_cpu = c;
    if (prev != c->idle)
        fpu_save(prev->fpu);
    if (next != c->idle) {
        proc_install(next->proc);
        fpu_restore(next->fpu);
        wrmsr(MSR_FS_BASE, next->fs_base);
        cpu_set_kstack(next->kstack + KSTACK_SIZE);
    }
    /* prev may run on another CPU once the BKL is released, which is
     * after this switch has saved it: the BKL is this CPU's across it. */
    arch_switch(&prev->ksp, next->ksp);
}

__noreturn void sched_idle_loop(void)
{
    struct cpu *c = this_cpu(); /* the idle thread never moves */
    for (;;) {
        uint64_t now = clock_mono_ns();
        if (c->id == 0)
            expire_timers(now);
        if (has_work(c)) {
            schedule();
            continue;
        }
        timer_rearm(now);
        vm_space_idle();
        if (!smp_multi) {
            cpu_relax_halt();
            continue;
        }
        c->halted = true;
        bkl_leave(false);
        cpu_relax_halt();
        bkl_enter();
        c->halted = false;
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
    if (deadline) {
        list_add_tail(&sched.timers, &t->timer_link);
        deadline_added(deadline);
    }
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
    if (!enqueue(t))
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
    /* No file system call is under way here: the stores of shared
     * mappings may be written back if too many are waiting. */
    mount_balance_dirty();
    for (;;) {
        if (this_cpu()->need_resched)
            schedule();
        if (!signal_pending(current()))
            return;
        signal_deliver(tf);
    }
}
