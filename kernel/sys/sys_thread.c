/*
 * sys/sys_thread.c — threads and processes: clone and clone3 (threads,
 * and child processes sharing the address space, vfork and posix_spawn,
 * or with a copy of it, fork), execve, exit, wait4 and waitid, pidfds,
 * futex, identities, affinity, the FS base and resource usage.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
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
#define CLONE_CLEAR_SIGHAND 0x100000000ULL /* clone3 only */
#define CLONE_THREAD_FLAGS (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)
#define CLONE_KNOWN                                                            \
    (CLONE_THREAD_FLAGS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM |             \
     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID |               \
     CLONE_DETACHED | CLONE_CHILD_SETTID | CLONE_VFORK | 0xff)
#define CSIGNAL 0xff

/* What clone and clone3 ask for: clone3's struct clone_args, the
 * stack pointer already its top (clone takes the top, clone3 the lowest
 * address and a size). */
struct clone_req {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, tls;
};

/* A child process (clone without CLONE_THREAD): it shares the address
 * space (CLONE_VM: vfork, posix_spawn) or gets a copy-on-write copy of it
 * (fork), and the parent waits for it to exec or end with CLONE_VFORK.
 * man 2 clone: CLONE_SIGHAND needs CLONE_VM, CLONE_THREAD needs
 * CLONE_SIGHAND. */
static long clone_process(const struct clone_req *r, struct thread **out)
{
    if (r->flags & CLONE_SETTLS)
        return -EINVAL;
    struct proc_clone_args a = {
        .copy_vm = !(r->flags & CLONE_VM),
        .share_files = r->flags & CLONE_FILES,
        .share_fs = r->flags & CLONE_FS,
        .share_sigact = r->flags & CLONE_SIGHAND,
        .clear_sighand = r->flags & CLONE_CLEAR_SIGHAND,
        .vfork = r->flags & CLONE_VFORK,
        .exit_signal = (int)r->exit_signal,
        .stack = r->stack,
    };
    return proc_clone(&a, out);
}

static long clone_thread(const struct clone_req *r, struct thread **out)
{
    if ((r->flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS ||
        (r->flags & (CLONE_VFORK | CLONE_PIDFD)))
        return -EINVAL;
    if ((r->flags & CLONE_SETTLS) && r->tls >= USER_TOP)
        return -EPERM;
    *out = thread_clone(current()->proc, r->stack, r->tls,
                        r->flags & CLONE_SETTLS);
    return *out ? 0 : -EAGAIN;
}

/* The pidfd of a new child, at r->pidfd (Linux's copy_process writes it
 * before the child runs: the pointer and a free fd are checked first, so
 * only a lack of memory can fail once the child exists, and kills it). */
static long clone_pidfd_check(const struct clone_req *r)
{
    int minus1 = -1;
    if (copy_to_user(r->pidfd, &minus1, sizeof(minus1)))
        return -EFAULT;
    int fd = fd_free_from(0);
    return fd < 0 ? fd : 0;
}

static long clone_pidfd(const struct clone_req *r, struct proc *child)
{
    int fd = pidfd_install(child, 0);
    if (fd < 0) {
        signal_kill(child, SIGKILL);
        return fd;
    }
    copy_to_user(r->pidfd, &fd, sizeof(fd)); /* checked above */
    return 0;
}

static long do_clone(const struct clone_req *r)
{
    if ((r->flags & CLONE_SIGHAND) && !(r->flags & CLONE_VM))
        return -EINVAL;
    if ((r->flags & CLONE_CLEAR_SIGHAND) && (r->flags & CLONE_SIGHAND))
        return -EINVAL;
    if ((r->flags & CLONE_PIDFD) && (r->flags & CLONE_DETACHED))
        return -EINVAL;
    if (r->exit_signal > NSIG)
        return -EINVAL;
    long err = (r->flags & CLONE_PIDFD) && !(r->flags & CLONE_THREAD)
                   ? clone_pidfd_check(r)
                   : 0;
    struct thread *t = NULL;
    if (!err)
        err = (r->flags & CLONE_THREAD) ? clone_thread(r, &t)
                                        : clone_process(r, &t);
    if (err)
        return err;
    uint32_t tid = t->tid;
    if ((r->flags & CLONE_PIDFD) && (err = clone_pidfd(r, t->proc)))
        return err;
    if (r->flags & CLONE_PARENT_SETTID)
        copy_to_user(r->parent_tid, &tid, sizeof(tid));
    /* In the child's memory: a fork child writes it itself, first. */
    if ((r->flags & CLONE_CHILD_SETTID) && (r->flags & CLONE_VM))
        copy_to_user(r->child_tid, &tid, sizeof(tid));
    else if (r->flags & CLONE_CHILD_SETTID)
        t->set_child_tid = r->child_tid;
    if (r->flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = r->child_tid;
    if (r->flags & CLONE_VFORK)
        proc_vfork_wait(t->proc);
    return tid;
}

/* clone(flags, stack, parent_tid, child_tid, tls): CLONE_PIDFD's fd goes
 * to parent_tid, so it excludes CLONE_PARENT_SETTID. */
SYS(clone)
{
    (void)a5;
    uint64_t flags = a0;
    if (flags & ~(uint64_t)(CLONE_KNOWN | CLONE_PIDFD))
        return -EINVAL;
    if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID))
        return -EINVAL;
    struct clone_req r = {
        .flags = flags & ~(uint64_t)CSIGNAL,
        .pidfd = a2,
        .child_tid = a3,
        .parent_tid = a2,
        .exit_signal = flags & CSIGNAL,
        .stack = a1,
        .tls = a4,
    };
    return do_clone(&r);
}

/* clone3(args, size): struct clone_args (64 bytes in its first version,
 * 88 with set_tid and cgroup); a longer one must be zero past what is
 * known (E2BIG).  set_tid and CLONE_INTO_CGROUP are not offered
 * (EINVAL). */
SYS(clone3)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
            stack_size, tls, set_tid, set_tid_size, cgroup;
    } ca = {0};
    uint64_t size = a1;
    if (size < 64)
        return -EINVAL;
    if (size > PAGE_SIZE)
        return -E2BIG;
    if (copy_from_user(&ca, a0, MIN(size, sizeof(ca))))
        return -EFAULT;
    for (uint64_t off = sizeof(ca); off < size; off += 8) {
        uint64_t v = 0;
        if (copy_from_user(&v, a0 + off, MIN(8, size - off)))
            return -EFAULT;
        if (v)
            return -E2BIG;
    }
    if (ca.flags &
            ~(uint64_t)(CLONE_KNOWN | CLONE_PIDFD | CLONE_CLEAR_SIGHAND) ||
        (ca.flags & CSIGNAL) || ca.exit_signal > NSIG || ca.set_tid ||
        ca.set_tid_size || ca.cgroup || (!ca.stack != !ca.stack_size))
        return -EINVAL;
    struct clone_req r = {
        .flags = ca.flags,
        .pidfd = ca.pidfd,
        .child_tid = ca.child_tid,
        .parent_tid = ca.parent_tid,
        .exit_signal = ca.exit_signal,
        .stack = ca.stack ? ca.stack + ca.stack_size : 0,
        .tls = ca.tls,
    };
    return do_clone(&r);
}

SYS(fork)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return sys_clone(SIGCHLD, 0, 0, 0, 0, 0);
}

SYS(vfork)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct clone_req r = {.flags = CLONE_VM | CLONE_VFORK,
                          .exit_signal = SIGCHLD};
    return do_clone(&r);
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

/* A struct rusage (18 longs) with the CPU time ns as its user time:
 * the kernel keeps one CPU time per thread, not split into user and
 * system. */
static long rusage_to_user(uint64_t uru, uint64_t ns, uint64_t maxrss_kib)
{
    int64_t ru[18] = {0};
    ru[0] = (int64_t)(ns / NSEC);
    ru[1] = (int64_t)(ns % NSEC / 1000);
    ru[4] = (int64_t)maxrss_kib;
    return copy_to_user(uru, ru, sizeof(ru)) ? -EFAULT : 0;
}

/* wait4(pid, wstatus, options, rusage): pid > 0 that child, -1 any, 0
 * the caller's group, < -1 the group -pid.  Stopped and continued
 * children never happen (no job control), so WUNTRACED and WCONTINUED
 * only wait for the end. */
SYS(wait4)
{
    (void)a4, (void)a5;
    struct proc_waited w = {0};
    int pid = (int)a0;
    if (a2 & ~(long)(WNOHANG | WUNTRACED | WCONTINUED | WAIT_KNOWN_FLAGS))
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    int which = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID;
    int id = pid > 0 ? pid : pid ? -pid : current()->proc->pgid;
    long r = proc_wait(which, id, a2 & WNOHANG, false, &w);
    if (r > 0 && a1 && copy_to_user(a1, &w.wstatus, sizeof(w.wstatus)))
        return -EFAULT;
    if (r > 0 && a3 && rusage_to_user(a3, w.cpu_ns, 0))
        return -EFAULT;
    return r;
}

/* The pid a pidfd names for waitid(P_PIDFD) (0 once reaped: no child
 * has it), and whether it is PIDFD_NONBLOCK: 0, or -EBADF. */
static long pidfd_pid(int fd, int *pid, bool *nonblock)
{
    struct file *f = fd_get(fd);
    struct proc *p;
    if (!f)
        return -EBADF;
    long err = pidfd_target(f, &p, pid);
    *nonblock = f->flags & O_NONBLOCK;
    file_put(f);
    if (!err && !p)
        *pid = 0;
    return err;
}

/* waitid(idtype, id, infop, options, rusage): P_ALL, P_PID, P_PGID (0:
 * the caller's group), P_PIDFD (a PIDFD_NONBLOCK one fails with EAGAIN
 * rather than sleep, as Linux 5.10+). */
SYS(waitid)
{
    (void)a5;
    enum { CLD_EXITED = 1, CLD_KILLED = 2 };
    struct proc_waited w = {0};
    int which = (int)a0, id = (int)a1, opts = (int)a3;
    bool nonblock = false;
    if (opts & ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT |
                 WAIT_KNOWN_FLAGS) ||
        !(opts & (WUNTRACED | WEXITED | WCONTINUED)))
        return -EINVAL;
    if ((which == P_PID && id <= 0) || (which != P_ALL && id < 0) ||
        (unsigned)which > P_PIDFD)
        return -EINVAL;
    if (which == P_PGID && id == 0)
        id = current()->proc->pgid;
    if (which == P_PIDFD) {
        long err = pidfd_pid(id, &id, &nonblock);
        if (err)
            return err;
        which = P_PID;
    }
    bool nohang = (opts & WNOHANG) || nonblock || !(opts & WEXITED);
    long r =
        proc_wait(which, id, nohang, (opts & WNOWAIT) || !(opts & WEXITED), &w);
    if (r == 0 && nonblock && !(opts & WNOHANG) && (opts & WEXITED))
        return -EAGAIN;
    if (r < 0)
        return r;
    struct linux_siginfo si = {0};
    if (r > 0 && (opts & WEXITED)) {
        int ws = w.wstatus;
        si.si_signo = SIGCHLD;
        si.si_code = W_SIGNALED(ws) ? CLD_KILLED : CLD_EXITED;
        si.u.chld.pid = (int)r;
        si.u.chld.status = W_SIGNALED(ws) ? ws & 0x7f : (ws >> 8) & 0xff;
    }
    if (a2 && copy_to_user(a2, &si, sizeof(si)))
        return -EFAULT;
    if (a4 && rusage_to_user(a4, r > 0 ? w.cpu_ns : 0, 0))
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
 * rseq(2) is not implemented, but quietly: glibc 2.35+ registers an rseq
 * area in each thread at every start and goes on without one when it
 * fails with ENOSYS, as on a kernel built without it, so the one-time
 * "unimplemented syscall" message would only be noise.
 */
SYS(rseq)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return -ENOSYS;
}

#define PIDFD_NONBLOCK O_NONBLOCK

/* pidfd_open(pid, flags): a pidfd for process pid (a zombie too), close-
 * on-exec; a thread's tid that is not a pid is EINVAL, as on Linux. */
SYS(pidfd_open)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    int pid = (int)a0;
    if ((a1 & ~(uint64_t)PIDFD_NONBLOCK) || pid <= 0)
        return -EINVAL;
    struct proc *p = proc_find(pid);
    if (!p)
        return thread_find(pid) ? -EINVAL : -ESRCH;
    return pidfd_install(p, (unsigned)a1);
}

/* The live process behind pidfd fd: 0, -EBADF (no fd, not a pidfd) or
 * -ESRCH (reaped). */
static long pidfd_proc(int fd, struct proc **p)
{
    struct file *f = fd_get(fd);
    int pid;
    if (!f)
        return -EBADF;
    long err = pidfd_target(f, p, &pid);
    file_put(f);
    return err ? err : *p ? 0 : -ESRCH;
}

/* pidfd_send_signal(pidfd, sig, info, flags): kill(2) through a pidfd,
 * to the process, its main thread (PIDFD_SIGNAL_THREAD) or its group
 * (PIDFD_SIGNAL_PROCESS_GROUP), at most one of them (Linux 6.9).  A
 * siginfo given must name sig, and may carry a code of its own only to
 * the caller (EPERM, as rt_sigqueueinfo); the signal goes with SI_USER
 * either way. */
SYS(pidfd_send_signal)
{
    (void)a4, (void)a5;
    enum { THREAD = 1, THREAD_GROUP = 2, PROCESS_GROUP = 4 };
    struct proc *p;
    if ((a3 & ~(uint64_t)7) || (a3 & (a3 - 1)))
        return -EINVAL;
    long err = pidfd_proc((int)a0, &p);
    if (err)
        return err;
    if (a1 > NSIG)
        return -EINVAL;
    if (a2) {
        struct linux_siginfo si;
        if (copy_from_user(&si, a2, sizeof(si)))
            return -EFAULT;
        if (si.si_signo != (int)a1)
            return -EINVAL;
        if (p != current()->proc && (si.si_code >= 0 || si.si_code == SI_TKILL))
            return -EPERM;
    }
    struct thread *t = thread_find(p->pid);
    if (a3 == PROCESS_GROUP)
        return signal_send_many(p->pgid, (int)a1);
    if (a3 == THREAD && t)
        return signal_send_thread(t, (int)a1, SI_USER);
    return signal_send_process(p, (int)a1, SI_USER);
}

/* pidfd_getfd(pidfd, targetfd, flags): a close-on-exec copy of the
 * target's fd; a process that ended has no fds (ESRCH). */
SYS(pidfd_getfd)
{
    (void)a3, (void)a4, (void)a5;
    struct proc *p;
    if (a2)
        return -EINVAL;
    long err = pidfd_proc((int)a0, &p);
    if (err)
        return err;
    if (!p->files)
        return -ESRCH;
    struct file *f = fd_table_get(p->files, (int)a1);
    return f ? fd_install_new(f, true) : -EBADF;
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

/* getrusage(who, usage): the CPU time of the caller's thread, process or
 * reaped children (rusage_to_user: all of it as user time). */
SYS(getrusage)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    enum { SELF = 0, CHILDREN = -1, THREAD = 1 };
    struct proc *p = current()->proc;
    uint64_t kib = vm_resident_pages() * 4; /* maxrss */
    switch ((int)a0) {
    case SELF:
        return rusage_to_user(a1, proc_cpu_ns(p), kib);
    case THREAD:
        return rusage_to_user(a1, current()->cpu_ns, kib);
    case CHILDREN:
        return rusage_to_user(a1, p->cpu_ns_children, 0);
    }
    return -EINVAL;
}
