/*
 * sys/sys_signal.c — signal system calls: actions, masks, the alternate
 * stack, sending (kill, tkill, tgkill) and returning from a handler.
 */
#include "sys/syscall.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "sys/abi.h"

static bool valid_sig(long s)
{
    return s >= 1 && s <= NSIG;
}

SYS(rt_sigaction)
{
    (void)a4, (void)a5;
    int s = (int)a0;
    struct linux_sigaction act;
    if (a3 != 8)
        return -EINVAL;
    if (!valid_sig(s))
        return -EINVAL;
    if (a1 && (s == SIGKILL || s == SIGSTOP))
        return -EINVAL;
    if (a1 && copy_from_user(&act, a1, sizeof(act)))
        return -EFAULT;
    struct linux_sigaction *cur = signal_action(s);
    if (a2 && copy_to_user(a2, cur, sizeof(*cur)))
        return -EFAULT;
    if (a1) {
        act.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
        *cur = act;
    }
    return 0;
}

SYS(rt_sigprocmask)
{
    (void)a4, (void)a5;
    enum { BLOCK = 0, UNBLOCK = 1, SETMASK = 2 };
    struct thread *t = current();
    uint64_t set, old = t->sigmask;
    if (a3 != 8)
        return -EINVAL;
    if (a1) {
        if (a0 != BLOCK && a0 != UNBLOCK && a0 != SETMASK)
            return -EINVAL;
        if (copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    if (a1) {
        set &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
        t->sigmask = a0 == BLOCK ? old | set : a0 == UNBLOCK ? old & ~set : set;
    }
    return 0;
}

SYS(rt_sigpending)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a1 != 8)
        return -EINVAL;
    struct thread *t = current();
    uint64_t set = t->sigpending & t->sigmask;
    return copy_to_user(a0, &set, sizeof(set));
}

SYS(rt_sigreturn)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return signal_return(current()->tf);
}

SYS(sigaltstack)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct thread *t = current();
    uint64_t sp = t->tf->rsp;
    bool on = !(t->ss_flags & SS_DISABLE) && sp > t->ss_sp &&
              sp - t->ss_sp <= t->ss_size;
    if (a1) {
        struct linux_stack old = {
            .ss_sp = t->ss_sp,
            .ss_size = t->ss_size,
            .ss_flags = on ? SS_ONSTACK : t->ss_flags,
        };
        if (copy_to_user(a1, &old, sizeof(old)))
            return -EFAULT;
    }
    if (!a0)
        return 0;
    struct linux_stack ss;
    if (copy_from_user(&ss, a0, sizeof(ss)))
        return -EFAULT;
    if (on)
        return -EPERM;
    return signal_altstack_set(t, &ss);
}

/* kill(pid, sig): a process by its pid (a zombie takes nothing, as on
 * Linux); 0 and -1 (the group, everyone) only the caller. */
/* kill(pid, sig): pid > 0 that process; 0 the caller's group; -1 every
 * process but the first and the caller (man 2 kill); < -1 the group
 * -pid.  A group with no process is ESRCH. */
SYS(kill)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    int pid = (int)a0;
    if (a1 < 0 || a1 > NSIG)
        return -EINVAL;
    if (pid > 0) {
        struct proc *p = proc_find(pid);
        return p ? signal_send_process(p, (int)a1, SI_USER) : -ESRCH;
    }
    if (pid == INT32_MIN)
        return -ESRCH;
    return signal_send_many(pid == -1 ? 0
                            : pid     ? -pid
                                      : current()->proc->pgid,
                            (int)a1);
}

SYS(tgkill)
{
    (void)a3, (void)a4, (void)a5;
    if (a2 < 0 || a2 > NSIG || a0 <= 0 || a1 <= 0)
        return -EINVAL;
    struct thread *t = thread_find((int)a1);
    if (!t || t->proc->pid != (int)a0)
        return -ESRCH;
    return signal_send_thread(t, (int)a2, SI_TKILL);
}

SYS(tkill)
{
    struct thread *t = a0 > 0 ? thread_find((int)a0) : NULL;
    return sys_tgkill(t ? t->proc->pid : 1, a0, a1, a3, a4, a5);
}

/* pause(2): sleeps until a signal is delivered (EINTR once its handler
 * ran); an ignored one is dropped at sending and does not wake it. */
SYS(pause)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    while (sched_sleep(NULL, 0) != -EINTR)
        ;
    return -EINTR;
}
