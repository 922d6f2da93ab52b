/*
 * sys/sys_thread.c — threads and the process: clone (threads only: there
 * is one process), exit, futex, identities, affinity and the FS base.
 */
#include "sys/syscall.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "sys/abi.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
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
     CLONE_DETACHED | CLONE_CHILD_SETTID | 0xff)

static void no_processes(void)
{
    static bool said;
    if (!said)
        kprintf("gorump: a new process (fork, vfork, clone without "
                "CLONE_THREAD) is not supported in a unikernel\n");
    said = true;
}

/* clone(flags, stack, parent_tid, child_tid, tls) */
SYS(clone)
{
    (void)a5;
    uint64_t flags = a0;
    if ((flags & CLONE_THREAD_FLAGS) != CLONE_THREAD_FLAGS) {
        no_processes();
        return -ENOSYS;
    }
    if (flags & ~(uint64_t)CLONE_KNOWN)
        return -EINVAL;
    if ((flags & CLONE_SETTLS) && (uint64_t)a4 >= USER_TOP)
        return -EPERM;
    struct thread *t = thread_clone(a1, a4, flags & CLONE_SETTLS);
    if (!t)
        return -EAGAIN;
    uint32_t tid = t->tid;
    if (flags & CLONE_PARENT_SETTID)
        copy_to_user(a2, &tid, sizeof(tid));
    if (flags & CLONE_CHILD_SETTID)
        copy_to_user(a3, &tid, sizeof(tid));
    if (flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = a3;
    return tid;
}

SYS(fork)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    no_processes();
    return -ENOSYS;
}

SYS(exit)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    thread_exit((int)a0);
}

SYS(exit_group)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    proc_exit((int)a0);
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
    return 1;
}

SYS(getppid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return 0;
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
