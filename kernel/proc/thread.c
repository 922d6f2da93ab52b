/*
 * proc/thread.c — processes and their threads: the process exec starts,
 * its main thread, clones made by clone(2) (threads with CLONE_THREAD,
 * else a child process sharing the address space, vfork and posix_spawn,
 * or with a copy of it, fork), their exit, the process tree and wait4.
 * A thread's kernel stack holds, from the top, its user trapframe and, while it
 * is switched out, the registers arch_switch saved.  An exited thread's stack
 * is freed by whichever thread runs next.
 */
#include "proc/proc.h"
#include "fs/fs.h"
#include "kernel.h"
#include "mm/mm.h"

static struct {
    struct list procs; /* processes (zombies too), by link */
    struct proc *init; /* the first: its end is the kernel's */
    int nprocs;
    struct list all; /* live threads, by all_link */
    struct list zombies;
    int nthreads;
    int next_tid; /* also the pids' counter: a process's pid is its first
                     thread's tid, as on Linux */
} procs = {.next_tid = 1};

void proc_init(void)
{
    list_init(&procs.procs);
    list_init(&procs.all);
    list_init(&procs.zombies);
}

static void reap(void)
{
    list_for_each(l, &procs.zombies)
    {
        struct thread *t = container_of(l, struct thread, run_link);
        if (t == current())
            continue;
        list_del(&t->run_link);
        kstack_free(t->kstack);
        kfree(t);
    }
}

/* Called by thread_trampoline on a new thread's first run. */
void sched_thread_start(void);
void sched_thread_start(void)
{
    struct thread *t = current();
    reap();
    if (t->set_child_tid) {
        /* Linux's schedule_tail: a bad pointer is ignored. */
        uint32_t tid = (uint32_t)t->tid;
        copy_to_user(t->set_child_tid, &tid, sizeof(tid));
        t->set_child_tid = 0;
    }
    crashtest_run(current());
    if (current()->tid == 1)
        failinject_arm();
    bkl_leave(true); /* taken by the CPU that switched to us */
}

/* A process without objects yet, with the next pid (its first thread's
 * tid, which thread_alloc takes next). */
static struct proc *proc_alloc(struct proc *parent)
{
    struct proc *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->pid = procs.next_tid;
    p->parent = parent;
    /* The first process leads its group and session, as a container's
     * init; a child is in its parent's (man 2 fork). */
    p->pgid = parent ? parent->pgid : p->pid;
    p->sid = parent ? parent->sid : p->pid;
    list_init(&p->children);
    list_init(&p->pidfds);
    waitq_init(&p->child_wait);
    if (parent) {
        list_add_tail(&parent->children, &p->sibling);
        memcpy(p->comm, parent->comm, sizeof(p->comm));
    }
    list_add_tail(&procs.procs, &p->link);
    procs.nprocs++;
    return p;
}

static void proc_free(struct proc *p)
{
    pidfd_proc_reaped(p);
    if (p->parent)
        list_del(&p->sibling);
    list_del(&p->link);
    procs.nprocs--;
    kfree(p);
}

int proc_count(void)
{
    return procs.nprocs;
}

struct proc *proc_create(void)
{
    struct proc *p = proc_alloc(NULL);
    if (!p)
        return NULL;
    p->vm = vm_space_create();
    p->sigact = signal_actions_new();
    if (!p->vm || !p->sigact) {
        if (p->vm)
            vm_space_destroy(p->vm);
        if (p->sigact)
            signal_actions_put(p->sigact);
        proc_free(p);
        return NULL;
    }
    /* The boot's (main.c set the cwd) become the first process's. */
    p->files = fd_table_current();
    p->fs = fs_ctx_current();
    procs.init = p;
    proc_install(p);
    return p;
}

void proc_create_undo(struct proc *p)
{
    assert(p == procs.init && !p->nthreads);
    vm_space_destroy(p->vm); /* the boot's fd table and cwd stay */
    signal_actions_put(p->sigact);
    procs.init = NULL;
    proc_free(p);
}

int proc_each(int (*fn)(struct proc *, void *), void *arg)
{
    list_for_each(l, &procs.procs)
    {
        int r = fn(container_of(l, struct proc, link), arg);
        if (r)
            return r;
    }
    return 0;
}

/* t's CPU time, the slice it is running now included. */
static uint64_t thread_cpu_ns(const struct thread *t)
{
    return t->cpu_ns + (t->oncpu ? clock_tsc_to_ns(rdtsc() - t->run_start) : 0);
}

uint64_t proc_cpu_ns(struct proc *p)
{
    uint64_t ns = p->cpu_ns_gone;
    list_for_each(l, &procs.all)
    {
        struct thread *t = container_of(l, struct thread, all_link);
        if (t->proc == p)
            ns += thread_cpu_ns(t);
    }
    return ns;
}

struct proc *proc_find(int pid)
{
    list_for_each(l, &procs.procs)
    {
        struct proc *p = container_of(l, struct proc, link);
        if (p->pid == pid)
            return p;
    }
    return NULL;
}

void proc_install(struct proc *p)
{
    vm_space_switch(p->vm);
    fd_table_install(p->files);
    fs_ctx_install(p->fs);
}

/* A thread of p whose first switch enters thread_trampoline and returns
 * to user mode through the trapframe at the top of its stack. */
static struct thread *thread_alloc(struct proc *p)
{
    /* Zeroed: XRSTOR faults on an XSAVE header with reserved bytes set. */
    struct thread *t = kzalloc(sizeof(*t) + fpu_area_size() + 63);
    if (!t)
        return NULL;
    t->fpu = (uint8_t *)(((uintptr_t)(t + 1) + 63) & ~(uintptr_t)63);
    t->kstack = kstack_alloc();
    if (!t->kstack) {
        kfree(t);
        return NULL;
    }
    t->tid = procs.next_tid++;
    t->proc = p;
    p->nthreads++;
    t->tf = (struct trapframe *)(t->kstack + KSTACK_SIZE) - 1;
    uint64_t *sp = (uint64_t *)t->tf;
    *--sp = (uint64_t)thread_trampoline;
    *--sp = 2; /* RFLAGS: interrupts off, as in the kernel */
    for (int i = 0; i < 6; i++)
        *--sp = 0; /* rbp rbx r12 r13 r14 r15 */
    t->ksp = (uint64_t)sp;
    t->full_restore = true;
    list_init(&t->run_link);
    list_init(&t->timer_link);
    list_add_tail(&procs.all, &t->all_link);
    procs.nthreads++;
    return t;
}

/* t enters user mode at rip with stack pointer rsp, every other
 * register zero, no alternate stack, the initial FPU state. */
static void thread_start_at(struct thread *t, uint64_t rip, uint64_t rsp)
{
    memset(t->tf, 0, sizeof(*t->tf));
    t->tf->rip = rip;
    t->tf->rsp = rsp;
    t->tf->cs = USER_CS;
    t->tf->ss = USER_DS;
    t->tf->rflags = RFLAGS_IF | 2;
    t->tf->orig_rax = -1;
    t->ss_flags = SS_DISABLE;
    t->ss_sp = t->ss_size = 0;
    t->full_restore = true;
    fpu_init_state(t->fpu);
}

struct thread *thread_create_main(struct proc *p, uint64_t rip, uint64_t rsp)
{
    struct thread *t = thread_alloc(p);
    if (!t)
        panic("out of memory creating the main thread");
    thread_start_at(t, rip, rsp);
    sched_add(t);
    return t;
}

void thread_exec(uint64_t rip, uint64_t rsp)
{
    struct thread *t = current();
    thread_start_at(t, rip, rsp);
    fpu_restore(t->fpu);
    t->fs_base = 0;
    wrmsr(MSR_FS_BASE, 0);
    t->clear_child_tid = 0;
}

struct thread *thread_clone(struct proc *p, uint64_t stack, uint64_t tls,
                            bool set_tls)
{
    struct thread *parent = current(), *t = thread_alloc(p);
    if (!t)
        return NULL;
    *t->tf = *parent->tf;
    t->tf->rax = 0;
    t->tf->orig_rax = -1;
    if (stack)
        t->tf->rsp = stack;
    t->fs_base = set_tls ? tls : parent->fs_base;
    t->sigmask = parent->sigmask;
    t->affinity = parent->affinity;
    t->ss_flags = SS_DISABLE; /* a CLONE_VM child starts without one */
    fpu_save(t->fpu);
    sched_add(t);
    return t;
}

struct thread *thread_find(int tid)
{
    list_for_each(l, &procs.all)
    {
        struct thread *t = container_of(l, struct thread, all_link);
        if (t->tid == tid)
            return t;
    }
    return NULL;
}

void proc_each_thread(void (*fn)(struct thread *, void *), void *arg)
{
    list_for_each(l, &procs.all)
        fn(container_of(l, struct thread, all_link), arg);
}

int proc_nthreads(void)
{
    return procs.nthreads;
}

int proc_last_tid(void)
{
    return procs.next_tid - 1;
}

static __noreturn void thread_leave(struct thread *t);

__noreturn void thread_exit(int status)
{
    struct thread *t = current();
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (copy_to_user(t->clear_child_tid, &zero, 4) == 0)
            futex_wake(t->clear_child_tid, 1, ~0u);
    }
    if (t->proc->nthreads == 1)
        proc_exit(W_EXITCODE(status));
    thread_leave(t);
}

void proc_interrupt(struct proc *p)
{
    list_for_each(l, &procs.all)
    {
        struct thread *t = container_of(l, struct thread, all_link);
        if (t->proc != p || t == current())
            continue;
        if (t->state == THREAD_SLEEPING)
            sched_wake(t, -EINTR);
        else
            sched_poke(t);
    }
}

/* The exit sequence (files, network, the host) is the top level's, and
 * runs on the boot CPU alone: the others are stopped first. */
static __noreturn void kernel_end(int wstatus)
{
    sched_to_boot_cpu();
    smp_stop_others();
    kernel_exit(W_SIGNALED(wstatus) ? 128 + (wstatus & 0x7f)
                                    : (wstatus >> 8) & 0xff);
}

__noreturn void proc_exit(int wstatus)
{
    struct proc *p = current()->proc;
    if (p == procs.init)
        kernel_end(wstatus);
    if (!p->exiting) {
        p->exiting = true;
        p->wstatus = wstatus;
        proc_interrupt(p);
    }
    thread_leave(current());
}

__noreturn void proc_kill(int sig)
{
    if (current()->proc == procs.init)
        kprintf("gorump: program killed by signal %d (%s)\n", sig,
                signal_name(sig));
    proc_exit(sig);
}

void proc_vfork_release(struct proc *p)
{
    struct thread *t = p->vfork_parent;
    if (!t)
        return;
    p->vfork_parent = NULL;
    t->vfork_done = true;
    sched_wake(t, 0);
}

/* Zombie p tells its parent of its end: it is reaped at once when the
 * parent ignores SIGCHLD or set SA_NOCLDWAIT (Linux's do_notify_parent);
 * else it waits for the parent's wait. */
static void proc_notify_parent(struct proc *p)
{
    enum { CLD_EXITED = 1, CLD_KILLED = 2 };
    struct proc *parent = p->parent;
    int ws = p->wstatus;
    waitq_wake(&parent->child_wait, -1);
    if (signal_send_child(parent, p->exit_signal,
                          W_SIGNALED(ws) ? CLD_KILLED : CLD_EXITED,
                          W_SIGNALED(ws) ? ws & 0x7f : (ws >> 8) & 0xff))
        proc_free(p);
}

/* The last thread of p (not the first process) left: its objects go (its
 * fds closed, so pipe readers see the end), its children go to the
 * first process, and it waits as a zombie for its parent (man 2 exit). */
static void proc_end(struct proc *p)
{
    proc_vfork_release(p);
    fd_table_install(NULL);
    fs_ctx_install(NULL);
    fd_table_put(p->files);
    fs_ctx_put(p->fs);
    signal_actions_put(p->sigact);
    vm_space_put(p->vm);
    p->files = NULL, p->fs = NULL, p->sigact = NULL, p->vm = NULL;
    while (!list_empty(&p->children)) {
        struct proc *c = container_of(p->children.next, struct proc, sibling);
        list_del(&c->sibling);
        c->parent = procs.init;
        c->exit_signal = SIGCHLD; /* Linux's reparent_leader */
        list_add_tail(&procs.init->children, &c->sibling);
        if (c->zombie)
            proc_notify_parent(c);
    }
    p->zombie = true;
    pidfd_proc_ended(p);
    proc_notify_parent(p);
}

/* t leaves its process, the last one out ending it, and is freed by the
 * next thread to start (reap). */
static __noreturn void thread_leave(struct thread *t)
{
    struct proc *p = t->proc;
    p->cpu_ns_gone += thread_cpu_ns(t);
    list_del(&t->all_link);
    procs.nthreads--;
    if (--p->nthreads == 0)
        proc_end(p);
    else if (p->exec_thread)
        sched_wake(p->exec_thread, 0);
    t->state = THREAD_ZOMBIE;
    list_add_tail(&procs.zombies, &t->run_link);
    schedule();
    panic("zombie thread %d ran again", t->tid);
}

__noreturn void thread_leave_current(void)
{
    thread_leave(current());
}

int proc_exec_alone(void)
{
    struct thread *t = current();
    struct proc *p = t->proc;
    uint64_t mask = t->sigmask;
    int err = 0;
    p->exec_thread = t;
    proc_interrupt(p);
    t->sigmask = ~0UL; /* only the process's end cuts the wait short */
    while (p->nthreads > 1 && !(err = signal_pending(t) ? -EINTR : 0))
        sched_sleep(NULL, 0);
    t->sigmask = mask;
    p->exec_thread = NULL;
    if (!err)
        t->tid = p->pid; /* its own tid was the leader's, or the leader left */
    return err;
}

/* --- new processes */

static void proc_drop_objects(struct proc *p)
{
    if (p->vm)
        vm_space_put(p->vm);
    if (p->files)
        fd_table_put(p->files);
    if (p->fs)
        fs_ctx_put(p->fs);
    if (p->sigact)
        signal_actions_put(p->sigact);
}

int proc_clone(const struct proc_clone_args *a, struct thread **out)
{
    struct proc *parent = current()->proc;
    struct vm_space *vm = NULL;
    if (a->copy_vm && vm_space_fork(&vm))
        return -ENOMEM;
    struct proc *p = proc_alloc(parent);
    if (!p) {
        if (vm)
            vm_space_put(vm);
        return -EAGAIN;
    }
    p->exit_signal = a->exit_signal;
    p->vm = vm ? vm : vm_space_share(parent->vm);
    p->files = a->share_files ? fd_table_share(parent->files)
                              : fd_table_copy(parent->files);
    p->fs = a->share_fs ? fs_ctx_share(parent->fs) : fs_ctx_copy(parent->fs);
    p->sigact = a->share_sigact ? signal_actions_share(parent->sigact)
                                : signal_actions_copy(parent->sigact);
    if (p->sigact && a->clear_sighand)
        p->sigact = signal_actions_exec(p->sigact); /* its own: no copy */
    struct thread *t = NULL;
    if (p->files && p->fs && p->sigact)
        t = thread_clone(p, a->stack, 0, false);
    if (!t) {
        proc_drop_objects(p);
        proc_free(p);
        return -EAGAIN;
    }
    struct thread *me = current();
    if (a->vfork || a->copy_vm) {
        /* Linux keeps the alternate stack unless the child shares the
         * memory while the parent runs (copy_process): a vfork parent's
         * stack is not in use meanwhile, a fork child has a copy. */
        t->ss_sp = me->ss_sp, t->ss_size = me->ss_size;
        t->ss_flags = me->ss_flags;
    }
    if (a->vfork) {
        p->vfork_parent = me;
        me->vfork_done = false;
    }
    *out = t;
    return 0;
}

void proc_vfork_wait(struct proc *child)
{
    struct thread *t = current();
    uint64_t mask = t->sigmask;
    /* Linux's wait_for_vfork_done is killable only: every signal but
     * the process's end waits, blocked meanwhile. */
    t->sigmask = ~0UL;
    while (!t->vfork_done && !signal_pending(t))
        sched_sleep(NULL, 0);
    if (!t->vfork_done)
        child->vfork_parent = NULL; /* not ended: it is still there */
    t->sigmask = mask;
}

/* --- wait4 */

static bool wait_matches(const struct proc *c, int which, int id)
{
    return which == P_ALL || (which == P_PID ? c->pid : c->pgid) == id;
}

long proc_wait(int which, int id, bool nohang, bool nowait,
               struct proc_waited *w)
{
    struct proc *p = current()->proc;
    for (;;) {
        bool any = false;
        list_for_each(l, &p->children)
        {
            struct proc *c = container_of(l, struct proc, sibling);
            if (!wait_matches(c, which, id))
                continue;
            any = true;
            if (!c->zombie)
                continue;
            int cpid = c->pid;
            w->wstatus = c->wstatus;
            w->cpu_ns = c->cpu_ns_gone + c->cpu_ns_children;
            if (!nowait) {
                p->cpu_ns_children += w->cpu_ns;
                proc_free(c);
            }
            return cpid;
        }
        /* The children are looked at before the signals: a child
         * reaped at once (SIGCHLD ignored) leaves ECHILD, as on Linux. */
        if (!any)
            return -ECHILD;
        if (nohang)
            return 0;
        if (signal_pending(current()))
            return -ERESTARTSYS;
        sched_sleep(&p->child_wait, 0);
    }
}

struct oom_pick {
    struct proc *victim;
    uint64_t pages;
};

static int oom_weigh(struct proc *p, void *arg)
{
    struct oom_pick *o = arg;
    struct vm_info i;
    if (!p->vm || p->zombie)
        return 0;
    vm_space_info(p->vm, &i);
    if (i.resident > o->pages) {
        o->victim = p;
        o->pages = i.resident;
    }
    return 0;
}

/* Linux's OOM killer ends the process with the most memory (oom_badness:
 * its resident pages), not whichever faulted: a parent waiting for a
 * greedy child must not be the one to die.  The faulting thread, if it
 * is not the victim's, finds a page once the victim is gone (it faults
 * again meanwhile). */
void oom_kill(uint64_t addr)
{
    struct proc *cur = current()->proc;
    struct oom_pick o = {cur, 0};
    oom_weigh(cur, &o); /* on a tie, the process that faulted */
    proc_each(oom_weigh, &o);
    if (o.victim->sigfatal || o.victim->exiting)
        return; /* being killed already: said once */
    kprintf("gorump: out of memory: no free page for address %lx "
            "(%lu pages in use); process %d (%s) killed\n",
            addr, pmem_total_pages() - pmem_free_pages(), o.victim->pid,
            o.victim->comm);
    signal_kill(o.victim, SIGKILL);
}
