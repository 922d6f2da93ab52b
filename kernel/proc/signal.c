/*
 * proc/signal.c — POSIX signals with Linux's x86-64 frame layout.  Actions
 * are per process (struct sig_actions, which clone's CLONE_SIGHAND will
 * share and fork copy), masks and pending sets per thread (plus the
 * process's pending set, struct proc's sigpending, for kill(2) when every
 * thread blocks the signal).  Delivery
 * happens on the way back to user mode: the user context is saved in a
 * struct rt_sigframe on the chosen stack (the alternate one under
 * SA_ONSTACK) and rt_sigreturn restores it, including whatever the handler
 * edited.  Go's preemption (SIGURG via tgkill) and its nil-pointer panics
 * (SIGSEGV with si_addr) rely on exactly this.
 */
#include "proc/proc.h"
#include "mm/mm.h"
#include "sys/abi.h"

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* A process's actions (proc->sigact). */
struct sig_actions {
    int refs; /* processes sharing them (CLONE_SIGHAND) */
    struct linux_sigaction actions[NSIG + 1];
};

/* The current process's actions (delivery, faults and rt_sigaction run
 * in its threads). */
static struct linux_sigaction *actions(void)
{
    return current()->proc->sigact->actions;
}

static const char *const names[32] = {
    NULL,      "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP",
    "SIGABRT", "SIGBUS",  "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV",
    "SIGUSR2", "SIGPIPE", "SIGALRM",   "SIGTERM", "SIGSTKFLT", "SIGCHLD",
    "SIGCONT", "SIGSTOP", "SIGTSTP",   "SIGTTIN", "SIGTTOU",   "SIGURG",
    "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",  "SIGIO",
    "SIGPWR",  "SIGSYS",
};

const char *signal_name(int s)
{
    return s > 0 && s < 32 ? names[s] : "real-time signal";
}

/* Default action is to ignore (no job control here: stops are ignored). */
static bool default_ignored(int s)
{
    return s == SIGCHLD || s == SIGCONT || s == SIGURG || s == SIGWINCH ||
           (s >= SIGSTOP && s <= SIGTTOU);
}

/* Whether p ignores s (a sender may run in any context). */
static bool ignored(const struct proc *p, int s)
{
    uint64_t h = p->sigact->actions[s].handler;
    return h == SIG_IGN || (h == SIG_DFL && default_ignored(s));
}

struct linux_sigaction *signal_action(int s)
{
    return &actions()[s];
}

struct sig_actions *signal_actions_new(void)
{
    struct sig_actions *a = kzalloc(sizeof(*a)); /* SIG_DFL is 0 */
    if (a)
        a->refs = 1;
    return a;
}

struct sig_actions *signal_actions_copy(const struct sig_actions *from)
{
    struct sig_actions *a = kmalloc(sizeof(*a));
    if (a) {
        *a = *from;
        a->refs = 1;
    }
    return a;
}

struct sig_actions *signal_actions_share(struct sig_actions *a)
{
    a->refs++;
    return a;
}

void signal_actions_put(struct sig_actions *a)
{
    assert(a->refs > 0);
    if (!--a->refs)
        kfree(a);
}

struct sig_actions *signal_actions_exec(struct sig_actions *a)
{
    struct sig_actions *n = a->refs == 1 ? a : signal_actions_copy(a);
    if (!n)
        return NULL;
    if (n != a)
        signal_actions_put(a);
    /* execve (man 2 execve): handled signals go back to their default,
     * ignored ones stay ignored; the flags go with the handler. */
    for (int i = 1; i <= NSIG; i++)
        if (n->actions[i].handler != SIG_IGN)
            n->actions[i] = (struct linux_sigaction){.handler = SIG_DFL};
    return n;
}

bool signal_pending(struct thread *t)
{
    struct proc *p = t->proc;
    return p->sigfatal || p->exiting ||
           (p->exec_thread && p->exec_thread != t) ||
           ((t->sigpending | p->sigpending) & ~t->sigmask);
}

void signal_kill(struct proc *p, int s)
{
    if (!p->sigfatal)
        p->sigfatal = s;
    proc_interrupt(p);
}

/* The sender's pid for si_pid: 0 from an interrupt (the kernel). */
static int sender_pid(void)
{
    struct proc *p = current()->proc;
    return p ? p->pid : 0;
}

/* SIGKILL ends the target at once: a process killing itself (the first
 * one says so, as for any signal it dies of), any other at its threads'
 * next return to user mode, their sleeps interrupted. */
static void kill_now(struct proc *p)
{
    if (p == current()->proc)
        proc_kill(SIGKILL);
    signal_kill(p, SIGKILL);
}

static int send_thread(struct thread *t, int s, const struct ksiginfo *ki)
{
    if (s == SIGKILL) {
        kill_now(t->proc);
        return 0;
    }
    uint64_t bit = SIGBIT(s);
    if (ignored(t->proc, s) && !(t->sigmask & bit))
        return 0;
    t->sigpending |= bit;
    t->siginfo[s - 1] = *ki;
    if (!(t->sigmask & bit) && t->state == THREAD_SLEEPING)
        sched_wake(t, -EINTR);
    else if (!(t->sigmask & bit))
        sched_poke(t);
    return 0;
}

int signal_send_thread(struct thread *t, int s, int code)
{
    struct ksiginfo ki = {.code = code, .pid = sender_pid()};
    return s ? send_thread(t, s, &ki) : 0;
}

struct pick {
    struct proc *proc;
    uint64_t bit;
    struct thread *t;
};

static void pick_unblocked(struct thread *t, void *arg)
{
    struct pick *p = arg;
    if (!p->t && t->proc == p->proc && !(t->sigmask & p->bit))
        p->t = t;
}

static int send_process(struct proc *proc, int s, const struct ksiginfo *ki)
{
    struct pick p = {proc, SIGBIT(s), NULL};
    if (proc->zombie || proc->exiting)
        return 0;
    if (!(current()->sigmask & p.bit) && current()->proc == proc)
        p.t = current();
    else
        proc_each_thread(pick_unblocked, &p);
    if (p.t)
        return send_thread(p.t, s, ki);
    if (s == SIGKILL) {
        kill_now(proc);
        return 0;
    }
    if (ignored(proc, s))
        return 0;
    proc->sigpending |= p.bit;
    proc->siginfo[s - 1] = *ki;
    return 0;
}

int signal_send_process(struct proc *proc, int s, int code)
{
    struct ksiginfo ki = {.code = code, .pid = sender_pid()};
    return s ? send_process(proc, s, &ki) : 0;
}

/* Whom signal_send_many reaches, and how many there were. */
struct kill_set {
    int pgid; /* 0: every process but the first and the caller */
    int sig;
    int found;
    bool self; /* the caller is one of them: it gets it last */
};

static int kill_one(struct proc *p, void *arg)
{
    struct kill_set *k = arg;
    if (k->pgid ? p->pgid != k->pgid : p->pid == 1 || p == current()->proc)
        return 0;
    k->found++;
    if (p == current()->proc)
        k->self = true; /* SIGKILL to the caller does not return */
    else
        signal_send_process(p, k->sig, SI_USER);
    return 0;
}

int signal_send_many(int pgid, int s)
{
    struct kill_set k = {pgid, s, 0, false};
    proc_each(kill_one, &k);
    if (k.self)
        signal_send_process(current()->proc, s, SI_USER);
    return k.found ? 0 : -ESRCH;
}

bool signal_send_child(struct proc *parent, int s, int code, int status)
{
    struct ksiginfo ki = {.code = code, .pid = sender_pid(), .status = status};
    const struct linux_sigaction *act = &parent->sigact->actions[SIGCHLD];
    bool autoreap = s == SIGCHLD &&
                    (act->handler == SIG_IGN || (act->flags & SA_NOCLDWAIT));
    if (s && !(autoreap && act->handler == SIG_IGN))
        send_process(parent, s, &ki);
    return autoreap;
}

/* Makes the interrupted syscall restart, or fail with EINTR. */
static void syscall_restart(struct trapframe *tf, bool restart)
{
    if (tf->orig_rax == (uint64_t)-1 || (long)tf->rax != -ERESTARTSYS)
        return;
    if (restart) {
        tf->rax = tf->orig_rax;
        tf->rip -= 2;
    } else {
        tf->rax = -EINTR;
    }
    tf->orig_rax = -1;
}

static void force(struct trapframe *tf, int s, int code, uint64_t addr);

static bool on_altstack(struct thread *t, uint64_t sp)
{
    return !(t->ss_flags & SS_DISABLE) && sp > t->ss_sp &&
           sp - t->ss_sp <= t->ss_size;
}

int signal_altstack_set(struct thread *t, const struct linux_stack *ss)
{
    uint32_t mode = (uint32_t)ss->ss_flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        t->ss_sp = t->ss_size = 0;
        t->ss_flags = SS_DISABLE;
        return 0;
    }
    if (ss->ss_size < MINSIGSTKSZ)
        return -ENOMEM;
    t->ss_sp = ss->ss_sp;
    t->ss_size = ss->ss_size;
    t->ss_flags = (int)((uint32_t)ss->ss_flags & SS_AUTODISARM);
    return 0;
}

size_t signal_frame_max(void)
{
    /* setup_frame: the fpstate 64-byte aligned below the top, then the
     * frame 16-byte aligned less 8. */
    return fpu_area_size() + 63 + sizeof(struct linux_rt_sigframe) + 15 + 8;
}

static int setup_frame(struct trapframe *tf, int s, struct ksiginfo *ki,
                       const struct linux_sigaction *act)
{
    struct thread *t = current();
    struct linux_rt_sigframe f;
    uint64_t sp = tf->rsp;
    bool alt = on_altstack(t, sp);

    bool enter = (act->flags & SA_ONSTACK) && !(t->ss_flags & SS_DISABLE);
    if (enter && !alt)
        sp = t->ss_sp + t->ss_size;
    else
        sp -= 128; /* the red zone */
    sp = (sp - fpu_area_size()) & ~63UL;
    uint64_t fpstate = sp;
    sp = ((sp - sizeof(f)) & ~15UL) - 8;
    /* A frame that does not fit the alternate stack is not written below
     * it: the program gets SIGSEGV, as on Linux (get_sigframe). */
    if ((enter || alt) && !on_altstack(t, sp))
        return -EFAULT;

    memset(&f, 0, sizeof(f));
    f.pretcode = act->restorer;
    f.uc.uc_flags = fpu_xfeatures() ? UC_FP_XSTATE : 0;
    f.uc.uc_stack.ss_sp = t->ss_sp;
    f.uc.uc_stack.ss_size = t->ss_size;
    f.uc.uc_stack.ss_flags = alt ? SS_ONSTACK : (t->ss_flags & ~SS_ONSTACK);
    struct linux_sigcontext *c = &f.uc.uc_mcontext;
    c->r8 = tf->r8, c->r9 = tf->r9, c->r10 = tf->r10, c->r11 = tf->r11;
    c->r12 = tf->r12, c->r13 = tf->r13, c->r14 = tf->r14, c->r15 = tf->r15;
    c->rdi = tf->rdi, c->rsi = tf->rsi, c->rbp = tf->rbp, c->rbx = tf->rbx;
    c->rdx = tf->rdx, c->rax = tf->rax, c->rcx = tf->rcx, c->rsp = tf->rsp;
    c->rip = tf->rip, c->eflags = tf->rflags;
    c->cs = USER_CS, c->ss = USER_DS;
    c->err = tf->vector < 32 ? tf->error : 0;
    c->trapno = tf->vector < 32 ? tf->vector : 0;
    c->oldmask = t->sigmask;
    c->cr2 = ki->addr;
    c->fpstate = fpstate;
    f.uc.uc_sigmask = t->sigmask;
    f.info.si_signo = s;
    f.info.si_code = ki->code;
    if (ki->code <= 0) {
        f.info.u.kill.pid = ki->pid;
    } else if (s == SIGCHLD) {
        f.info.u.chld.pid = ki->pid;
        f.info.u.chld.status = ki->status;
    } else {
        f.info.u.addr = ki->addr;
    }

    fpu_save(t->fpu);
    fpu_frame_fill(t->fpu);
    if (copy_to_user(fpstate, t->fpu, fpu_area_size()) ||
        copy_to_user(sp, &f, sizeof(f)))
        return -EFAULT;
    /* The handler starts from the initial FPU state, as on Linux
     * (handle_signal): the program's MXCSR or x87 control word do not
     * leak into it, and its YMM upper halves are clean. */
    fpu_init_state(t->fpu);
    fpu_restore(t->fpu);

    tf->rip = act->handler;
    tf->rsp = sp;
    tf->rdi = s;
    tf->rsi = sp + offsetof(struct linux_rt_sigframe, info);
    tf->rdx = sp + offsetof(struct linux_rt_sigframe, uc);
    tf->rax = 0;
    tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF);
    tf->cs = USER_CS;
    tf->ss = USER_DS;
    if (t->ss_flags & SS_AUTODISARM) {
        t->ss_flags = SS_DISABLE;
        t->ss_sp = t->ss_size = 0;
    }
    t->full_restore = true;
    return 0;
}

void signal_deliver(struct trapframe *tf)
{
    struct thread *t = current();
    struct proc *p = t->proc;
    uint64_t own = t->sigpending & ~t->sigmask;
    uint64_t set = own ? own : (p->sigpending & ~t->sigmask);
    /* Nothing is half done here: the exit path runs on a clean stack. */
    if (p->sigfatal)
        proc_exit(p->sigfatal);
    if (p->exiting)
        proc_exit(p->wstatus);
    if (p->exec_thread && p->exec_thread != t)
        thread_leave_current();
    if (!set)
        return;
    int s = __builtin_ctzl(set) + 1;
    struct ksiginfo ki;
    if (own) {
        ki = t->siginfo[s - 1];
        t->sigpending &= ~SIGBIT(s);
    } else {
        ki = p->siginfo[s - 1];
        p->sigpending &= ~SIGBIT(s);
    }

    struct linux_sigaction act = actions()[s];
    if (ignored(p, s)) {
        syscall_restart(tf, true);
        return;
    }
    if (act.handler == SIG_DFL)
        proc_kill(s);
    syscall_restart(tf, act.flags & SA_RESTART);
    if (!(act.flags & SA_RESTORER)) {
        kprintf("gorump: handler for signal %d has no SA_RESTORER\n", s);
        proc_kill(SIGSEGV);
    }
    if (setup_frame(tf, s, &ki, &act)) {
        if (p->sigfatal) /* out of memory for the frame's pages */
            proc_exit(p->sigfatal);
        kprintf("gorump: cannot write the frame for signal %d (%s) at "
                "%lx\n",
                s, signal_name(s), tf->rsp);
        proc_kill(SIGSEGV);
    }
    t->sigmask |= act.mask & ~UNBLOCKABLE;
    if (!(act.flags & SA_NODEFER))
        t->sigmask |= SIGBIT(s);
    if (act.flags & SA_RESETHAND)
        actions()[s].handler = SIG_DFL;
}

/* The fpstate a program hands rt_sigreturn, made its FPU state: an XSAVE
 * image when its software-reserved bytes and trailing magic say so, else
 * the legacy region alone (Linux's fx_only), the rest initial.  None (0)
 * gives the initial state.  0, or -EFAULT/-EINVAL. */
static int restore_fpstate(struct thread *t, uint64_t fpstate)
{
    uint32_t magic2;
    size_t xsize = 0;
    if (!fpstate) {
        fpu_init_state(t->fpu);
    } else {
        if (copy_from_user(t->fpu, fpstate, 512))
            return -EFAULT;
        xsize = fpu_frame_xsize(t->fpu);
        if (xsize && (copy_from_user(&magic2, fpstate + xsize, 4) ||
                      !fpu_frame_magic2(magic2)))
            xsize = 0;
        if (xsize && copy_from_user(t->fpu + 512, fpstate + 512, xsize - 512))
            return -EFAULT;
        int err = fpu_frame_load(t->fpu, xsize);
        if (err)
            return err;
    }
    fpu_restore(t->fpu);
    return 0;
}

long signal_return(struct trapframe *tf)
{
    struct thread *t = current();
    struct linux_ucontext uc;
    if (copy_from_user(&uc, tf->rsp, sizeof(uc))) {
        kprintf("gorump: rt_sigreturn with a bad frame at %lx\n", tf->rsp);
        proc_kill(SIGSEGV);
    }
    /* Any RIP and RSP are taken, as on Linux: one the CPU cannot return
     * to faults in the program (trap.c, bad_iret); CS and SS are ours. */
    struct linux_sigcontext *c = &uc.uc_mcontext;
    tf->r8 = c->r8, tf->r9 = c->r9, tf->r10 = c->r10, tf->r11 = c->r11;
    tf->r12 = c->r12, tf->r13 = c->r13, tf->r14 = c->r14, tf->r15 = c->r15;
    tf->rdi = c->rdi, tf->rsi = c->rsi, tf->rbp = c->rbp, tf->rbx = c->rbx;
    tf->rdx = c->rdx, tf->rax = c->rax, tf->rcx = c->rcx, tf->rsp = c->rsp;
    tf->rip = c->rip;
    tf->rflags = (tf->rflags & ~RFLAGS_USER_MASK) |
                 (c->eflags & RFLAGS_USER_MASK) | RFLAGS_IF;
    tf->cs = USER_CS;
    tf->ss = USER_DS;
    tf->orig_rax = -1;
    t->sigmask = uc.uc_sigmask & ~UNBLOCKABLE;
    /* Restore the alternate stack unless we are running on it, with
     * sigaltstack's checks; one they refuse leaves it as it is (Linux's
     * restore_altstack likewise ignores all but a fault). */
    if (!on_altstack(t, tf->rsp))
        (void)signal_altstack_set(t, &uc.uc_stack);
    t->full_restore = true;
    /* As on Linux, the registers and mask are the frame's even when its
     * FPU state is not: SIGSEGV then comes with the FPU reset. */
    if (restore_fpstate(t, c->fpstate)) {
        fpu_init_state(t->fpu);
        fpu_restore(t->fpu);
        force(tf, SIGSEGV, SI_KERNEL, 0);
    }
    return tf->rax;
}

/* Faults are forced: a blocked or ignored signal is reset to its default,
 * which kills the program with a report of where it faulted. */
static void force(struct trapframe *tf, int s, int code, uint64_t addr)
{
    struct thread *t = current();
    struct linux_sigaction *act = &actions()[s];
    if ((t->sigmask & SIGBIT(s)) || act->handler == SIG_IGN) {
        act->handler = SIG_DFL;
        t->sigmask &= ~SIGBIT(s);
    }
    if (act->handler == SIG_DFL) {
        kprintf("gorump: %s at address %lx, rip %lx\n", signal_name(s), addr,
                tf->rip);
        trap_dump(tf);
        proc_kill(s);
    }
    t->sigpending |= SIGBIT(s);
    t->siginfo[s - 1] = (struct ksiginfo){.code = code, .addr = addr};
}

void signal_fault(struct trapframe *tf, int vm_err, uint64_t addr)
{
    enum { BUS_ADRERR = 2, SEGV_MAPERR = 1, SEGV_ACCERR = 2 };
    if (vm_err == -ENOMEM) {
        oom_kill(addr);
        return;
    }
    /* A file page past the end of the file (man 2 mmap, SIGBUS). */
    if (vm_err == -EIO)
        force(tf, SIGBUS, BUS_ADRERR, addr);
    else
        force(tf, SIGSEGV, vm_err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, addr);
}

void signal_trap(struct trapframe *tf)
{
    enum { FPE = 8, ILL = 4, TRAP = 5, BUS = 7, SEGV = 11 };
    switch (tf->vector) {
    case 0:
        force(tf, FPE, 1, tf->rip); /* FPE_INTDIV */
        break;
    case 1:
    case 3:
        force(tf, TRAP, tf->vector == 3 ? SI_KERNEL : 2, tf->rip);
        break;
    case 6:
        force(tf, ILL, 2, tf->rip); /* ILL_ILLOPN */
        break;
    case 16:
    case 19:
        force(tf, FPE, 7, tf->rip); /* FPE_FLTINV */
        break;
    case 17:
        force(tf, BUS, 1, tf->rip); /* BUS_ADRALN */
        break;
    case 12:
        force(tf, BUS, 2, 0);
        break;
    default:
        force(tf, SEGV, SI_KERNEL, 0);
    }
}
