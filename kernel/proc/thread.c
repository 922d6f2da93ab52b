/*
 * proc/thread.c — the process and its threads: the process exec starts,
 * its main thread, clones made by clone(2) with CLONE_THREAD, and their
 * exit.  A thread's kernel stack
 * holds, from the top, its user trapframe and, while it is switched out,
 * the registers arch_switch saved.  An exited thread's stack is freed by
 * whichever thread runs next.
 */
#include "proc/proc.h"
#include "fs/fs.h"
#include "kernel.h"
#include "mm/mm.h"

static struct {
    struct list procs; /* live processes, by link */
    struct list all;   /* live threads, by all_link */
    struct list zombies;
    int nthreads;
    int next_tid; /* also the pids' counter: a process's pid is its first
                     thread's tid, as on Linux */
    bool oom_killed;
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
    reap();
    crashtest_run(current());
    if (current()->tid == 1)
        failinject_arm();
    bkl_leave(true); /* taken by the CPU that switched to us */
}

struct proc *proc_create(void)
{
    struct proc *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->vm = vm_space_create();
    p->sigact = signal_actions_new();
    if (!p->vm || !p->sigact) {
        if (p->vm)
            vm_space_destroy(p->vm);
        if (p->sigact)
            signal_actions_put(p->sigact);
        kfree(p);
        return NULL;
    }
    /* The boot's (main.c set the cwd) become the first process's. */
    p->files = fd_table_current();
    p->fs = fs_ctx_current();
    p->pid = procs.next_tid;
    list_add_tail(&procs.procs, &p->link);
    proc_install(p);
    return p;
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

struct thread *thread_create_main(struct proc *p, uint64_t rip, uint64_t rsp)
{
    struct thread *t = thread_alloc(p);
    if (!t)
        panic("out of memory creating the main thread");
    memset(t->tf, 0, sizeof(*t->tf));
    t->tf->rip = rip;
    t->tf->rsp = rsp;
    t->tf->cs = USER_CS;
    t->tf->ss = USER_DS;
    t->tf->rflags = RFLAGS_IF | 2;
    t->tf->orig_rax = -1;
    t->ss_flags = SS_DISABLE;
    fpu_init_state(t->fpu);
    sched_add(t);
    return t;
}

struct thread *thread_clone(uint64_t stack, uint64_t tls, bool set_tls)
{
    struct thread *parent = current(), *t = thread_alloc(parent->proc);
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

__noreturn void thread_exit(int status)
{
    struct thread *t = current();
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (copy_to_user(t->clear_child_tid, &zero, 4) == 0)
            futex_wake(t->clear_child_tid, 1, ~0u);
    }
    if (procs.nthreads == 1)
        proc_exit(status);
    list_del(&t->all_link);
    procs.nthreads--;
    t->proc->nthreads--;
    t->state = THREAD_ZOMBIE;
    list_add_tail(&procs.zombies, &t->run_link);
    schedule();
    panic("zombie thread %d ran again", t->tid);
}

/* The exit sequence (files, network, the host) is the top level's, and
 * runs on the boot CPU alone: the others are stopped first. */
__noreturn void proc_exit(int status)
{
    sched_to_boot_cpu();
    smp_stop_others();
    kernel_exit(status);
}

__noreturn void proc_kill(int sig)
{
    kprintf("gorump: program killed by signal %d (%s)\n", sig,
            signal_name(sig));
    proc_exit(128 + sig);
}

void oom_kill(uint64_t addr)
{
    if (procs.oom_killed)
        return; /* said once */
    procs.oom_killed = true;
    kprintf("gorump: out of memory: no free page for address %lx "
            "(%lu pages in use); program killed\n",
            addr, pmem_total_pages() - pmem_free_pages());
    signal_kill(current()->proc, SIGKILL);
}
