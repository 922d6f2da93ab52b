/*
 * sys/sys_thread.c — threads and processes: clone (threads, and child
 * processes sharing the address space, vfork and posix_spawn, or with a
 * copy of it, fork), execve, exit, wait4 and waitid, futex, identities,
 * affinity and the FS base.
 */
#include "sys/syscall.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "sys/abi.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_PIDFD 0x1000
#define CLONE_VFORK 0x4000
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_DETACHED 0x400000
#define CLONE_CHILD_SETTID 0x1000000
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)
#define CLONE_KNOWN                                                            \
    (CLONE_THREAD_FLAGS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM |             \
     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |               \
     CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_VFORK | 0xff)
#define CSIGNAL 0xff

/* A child process (clone without CLONE_THREAD): it shares the address
 * space (CLONE_VM: vfork, posix_spawn) or gets a copy-on-write copy of it
 * (fork), and the parent waits for it to exec or end with CLONE_VFORK.
 * man 2 clone: CLONE_SIGHAND needs CLONE_VM, CLONE_THREAD needs
 * CLONE_SIGHAND. */
static long clone_process(uint64_t flags, uint64_t stack, struct thread **out)
{
    /* No pidfd yet: Go and glibc ask for one only once pidfd_open
     * worked. */
    if (flags & (CLONE_PIDFD | CLONE_SETTLS))
        return -EINVAL;
    struct proc_clone_args a = {
        .copy_vm = !(flags & CLONE_VM),
        .share_files = flags & CLONE_FILES,
        .share_fs = flags & CLONE_FS,
        .share_sigact = flags & CLONE_SIGHAND,
        .vfork = flags & CLONE_VFORK,
        .exit_signal = (int)(flags & CSIGNAL),
        .stack = stack,
    };
    if (a.exit_signal > NSIG)
        return -EINVAL;
    return proc_clone(&a, out);
}

static long clone_thread(uint64_t flags, uint64_t stack, uint64_t tls,
                         struct thread **out)
{
    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS ||
        (flags & (CLONE_VFORK | CLONE_PIDFD)))
        return -EINVAL;
    if ((flags & CLONE_SETTLS) && tls >= USER_TOP)
        return -EPERM;
    *out = thread_clone(current()->proc, stack, tls, flags & CLONE_SETTLS);
    return *out ? 0 : -EAGAIN;
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
SYS(clone)
{
    (void)a5;
    uint64_t flags = a0;
    if (flags & ~(uint64_t)(CLONE_KNOWN | CLONE_PIDFD))
        return -EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
        return -EINVAL;
    struct thread *t = NULL;
    long err = (flags & CLONE_THREAD) ? clone_thread(flags, a1, a4, &t)
                                      : clone_process(flags, a1, &t);
    if (err)
        return err;
    uint32_t tid = t->tid;
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(a2, &tid, sizeof(tid));
    /* In the child's memory: a fork child writes it itself, first. */
    if ((flags & CLONE_CHILD_SETTID) && (flags & CLONE_VM))
        copy_to_user(a3, &tid, sizeof(tid));
    else if (flags & CLONE_CHILD_SETTID)
        t->set_child_tid = a3;
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = a3;
    if (flags & CLONE_VFORK)
        proc_vfork_wait(t->proc);
    return tid;
}

SYS(fork)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return sys_clone(SIGCHLD, 0, 0, 0, 0, 0);
}

SYS(vfork)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return sys_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0);
}

/* execve(path, argv, envp) */
SYS(execve)
{
    (void)a3, (void)a4, (void)a5;
    return exec_execve(AT_FDCWD, a0, a1, a2, 0);
}

/* execveat(dirfd, path, argv, envp, flags) */
SYS(execveat)
{
    (void)a5;
    return exec_execve((int)a0, a1, a2, a3, (int)a4);
}

enum {
    WNOHANG = 1,
    WUNTRACED = 2, /* WSTOPPED for waitid */
    WEXITED = 4,
    WCONTINUED = 8,
    WNOWAIT = 0x1000000,
    WAIT_KNOWN_FLAGS = 0xe0000000, /* __WNOTHREAD, __WALL, __WCLONE */
};

/* wait4(pid, wstatus, options, rusage): stopped and continued children
 * never happen (no job control), so WUNTRACED and WCONTINUED only wait
 * for the end; the resource usage is reported as zero. */
SYS(wait4)
{
    (void)a4, (void)a5;
    int ws = 0;
    if (a2 & ~(long)(WNOHANG | WUNTRACED | WCONTINUED | WAIT_KNOWN_FLAGS))
        return -EINVAL;
    if ((int)a0 == INT32_MIN)
        return -ESRCH;
    long pid = proc_wait((int)a0, a2 & WNOHANG, false, &ws);
    if (pid > 0 && a1 && copy_to_user(a1, &ws, sizeof(ws)))
        return -EFAULT;
    if (pid > 0 && a3 && zero_user(a3, 18 * 8))
        return -EFAULT;
    return pid;
}

/* waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID (every
 * process is in group 1); P_PIDFD: no fd is a pidfd yet (EBADF). */
SYS(waitid)
{
    (void)a5;
    enum { P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3 };
    enum { CLD_EXITED = 1, CLD_KILLED = 2 };
    int pid, ws = 0, opts = (int)a3;
    if (opts & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT |
                 WAIT_KNOWN_FLAGS) ||
        !(opts & (WUNTRACED | WEXITED | WCONTINUED)))
        return -EINVAL;
    if (a0 == P_ALL)
        pid = -1;
    else if (a0 == P_PID && (int)a1 > 0)
        pid = (int)a1;
    else if (a0 == P_PGID && (int)a1 >= 0)
        pid = (int)a1 == 0 || (int)a1 == 1 ? -1 : INT32_MIN;
    else if (a0 == P_PIDFD)
        return -EBADF; /* no fd is a pidfd */
    else
        return -EINVAL;
    long r = pid == INT32_MIN ? -ECHILD
             : !(opts & WEXITED)
                 ? (proc_wait(pid, true, true, &ws) < 0 ? -ECHILD : 0)
                 : proc_wait(pid, opts & WNOHANG, opts & WNOWAIT, &ws);
    if (r < 0)
        return r;
    struct linux_siginfo si = {0};
    if (r > 0) {
        si.si_signo = SIGCHLD;
        si.si_code = W_SIGNALED(ws) ? CLD_KILLED : CLD_EXITED;
        si.u.chld.pid = (int)r;
        si.u.chld.status = W_SIGNALED(ws) ? ws & 0x7f : (ws >> 8) & 0xff;
    }
    if (a2 && copy_to_user(a2, &si, sizeof(si)))
        return -EFAULT;
    if (a4 && zero_user(a4, 18 * 8))
        return -EFAULT;
    return 0;
}

SYS(exit)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    thread_exit((int)a0);
}

SYS(exit_group)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    proc_exit(W_EXITCODE((int)a0));
}

/* futex(uaddr, op, val, timeout, uaddr2, val3) */
SYS(futex)
{
    (void)a4;
    enum { WAIT = 0, WAKE = 1, WAIT_BITSET = 9, WAKE_BITSET = 10 };
    enum { PRIVATE = 128, REALTIME = 256 };
    int op = (int)a1 & ~(PRIVATE | REALTIME);
    uint32_t bitset =
        op == WAIT_BITSET || op == WAKE_BITSET ? (uint32_t)a5 : ~0u;
    if (op == WAKE || op == WAKE_BITSET)
        return futex_wake(a0, (int)a2 < 0 ? 0 : (int)a2, bitset);
    if (op != WAIT && op != WAIT_BITSET)
        return -ENOSYS;

    uint64_t deadline = 0;
    if (a3) {
        uint64_t ns;
        long e = time_ts_from_user(a3, &ns);
        if (e)
            return e;
        if (op == WAIT) {
            deadline = time_deadline(ns);
        } else {
            /* BITSET takes an absolute time on the chosen clock. */
            uint64_t now = (a1 & REALTIME) ? clock_real_ns() : clock_mono_ns();
            deadline = time_deadline(ns > now ? ns - now : 0);
        }
        if (!deadline)
            deadline = 1;
    }
    return futex_wait(a0, (uint32_t)a2, deadline, bitset);
}

SYS(gettid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return current()->tid;
}

SYS(getpid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return current()->proc->pid;
}

SYS(getppid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct proc *parent = current()->proc->parent;
    return parent ? parent->pid : 0;
}

SYS(set_tid_address)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    current()->clear_child_tid = a0;
    return current()->tid;
}

/* Robust futexes matter when a process dies holding a lock shared with
 * another process; with one process there is nobody to tell. */
SYS(set_robust_list)
{
    (void)a0, (void)a2, (void)a3, (void)a4, (void)a5;
    return a1 == 24 ? 0 : -EINVAL;
}

/*
 * rseq(2) and clone3(2) are not implemented, but quietly: C libraries
 * probe them at every start (glibc 2.35+ registers an rseq area in each
 * thread, glibc 2.34+ tries clone3 first in pthread_create) and fall back
 * when they fail with ENOSYS, as on a kernel built without them, so the
 * one-time "unimplemented syscall" message would only be noise.
 */
SYS(rseq)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return -ENOSYS;
}

SYS(clone3)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return -ENOSYS;
}

/* pidfd_open likewise: Go 1.23+ probes it at its first os.StartProcess
 * and, on ENOSYS, waits for children with wait4 as before. */
SYS(pidfd_open)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return -ENOSYS;
}

/*
 * membarrier(2).  A thread not running has had its memory accesses
 * ordered by the switch that took it off its CPU; each CPU running one
 * in user mode is interrupted (smp_membarrier: an interrupt serialises)
 * and has answered before the call returns, and this CPU fences.  With
 * one CPU that is the fence alone.  The private expedited
 * commands need their registration first (EPERM), as on Linux; the
 * SYNC_CORE and RSEQ variants are not offered.
 */
SYS(membarrier)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    enum {
        QUERY = 0,
        GLOBAL = 1,
        GLOBAL_EXPEDITED = 2,
        REGISTER_GLOBAL_EXPEDITED = 4,
        PRIVATE_EXPEDITED = 8,
        REGISTER_PRIVATE_EXPEDITED = 16,
    };
    static bool private_registered;
    if (a1 != 0)
        return -EINVAL;
    switch (a0) {
    case QUERY:
        return GLOBAL | GLOBAL_EXPEDITED | REGISTER_GLOBAL_EXPEDITED |
               PRIVATE_EXPEDITED | REGISTER_PRIVATE_EXPEDITED;
    case REGISTER_PRIVATE_EXPEDITED:
        private_registered = true;
        return 0;
    case PRIVATE_EXPEDITED:
        if (!private_registered)
            return -EPERM;
        smp_membarrier();
        return 0;
    case GLOBAL:
    case GLOBAL_EXPEDITED:
        smp_membarrier();
        return 0;
    case REGISTER_GLOBAL_EXPEDITED:
        return 0;
    }
    return -EINVAL;
}

SYS(sched_yield)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    schedule();
    return 0;
}

/* The thread tid names (0: the caller), or NULL. */
static struct thread *affinity_thread(long tid)
{
    return tid == 0 ? current() : thread_find((int)tid);
}

/* The CPUs the thread may run on, 8 bytes (64 CPUs at most, Linux's
 * nr_cpu_ids rounded up to a long); returns the bytes written. */
SYS(sched_getaffinity)
{
    (void)a3, (void)a4, (void)a5;
    struct thread *t = affinity_thread((long)a0);
    if (!t)
        return -ESRCH;
    if (a1 < 8 || (a1 & 7))
        return -EINVAL;
    uint64_t mask = t->affinity ? t->affinity : sched_online_mask();
    if (copy_to_user(a2, &mask, sizeof(mask)))
        return -EFAULT;
    return 8;
}

/* getcpu(2): the CPU the thread runs on (which may change as soon as it
 * returns) and NUMA node 0; the third argument is unused, as on Linux. */
SYS(getcpu)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint32_t cpu = this_cpu()->id, node = 0;
    if (a0 && copy_to_user(a0, &cpu, sizeof(cpu)))
        return -EFAULT;
    if (a1 && copy_to_user(a1, &node, sizeof(node)))
        return -EFAULT;
    return 0;
}

/* Bits past the first 8 bytes name CPUs that cannot exist here. */
SYS(sched_setaffinity)
{
    (void)a3, (void)a4, (void)a5;
    uint64_t mask = 0;
    struct thread *t = affinity_thread((long)a0);
    if (!t)
        return -ESRCH;
    if (copy_from_user(&mask, a2, MIN((uint64_t)a1, sizeof(mask))))
        return -EFAULT;
    return sched_set_affinity(t, mask);
}

SYS(arch_prctl)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    enum { SET_GS = 0x1001, SET_FS = 0x1002, GET_FS = 0x1003, GET_GS = 0x1004 };
    struct thread *t = current();
    switch (a0) {
    case SET_FS:
        if ((uint64_t)a1 >= USER_TOP)
            return -EPERM;
        t->fs_base = a1;
        wrmsr(MSR_FS_BASE, a1);
        return 0;
    case GET_FS:
        return copy_to_user(a1, &t->fs_base, sizeof(t->fs_base));
    case SET_GS:
    case GET_GS:
        return -EINVAL; /* the kernel keeps GS to itself */
    default:
        return -EINVAL;
    }
}

SYS(getrusage)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    enum { SELF = 0, CHILDREN = -1, THREAD = 1 };
    int64_t ru[18];
    if (a0 != SELF && a0 != CHILDREN && a0 != THREAD)
        return -EINVAL;
    memset(ru, 0, sizeof(ru));
    if (a0 != CHILDREN) {
        uint64_t ns = current()->cpu_ns;
        ru[0] = ns / 1000000000;
        ru[1] = ns % 1000000000 / 1000;
        ru[4] = (int64_t)(vm_resident_pages() * 4); /* maxrss, KiB */
    }
    return copy_to_user(a1, ru, sizeof(ru));
}
