/*
 * sys/syscall.c — dispatch.  The table maps Linux x86-64 syscall numbers
 * (asm/unistd_64.h) to handlers; a number without one returns -ENOSYS and
 * is named once on the console, so a missing feature is never silent.
 */
#include "sys/syscall.h"
#include "proc/proc.h"

#define NR(n, fn) [n] = (syscall_fn_t)sys_##fn

static const syscall_fn_t table[SYSCALL_MAX] = {
    NR(0, read),
    NR(1, write),
    NR(2, open),
    NR(3, close),
    NR(4, stat),
    NR(5, fstat),
    NR(6, lstat),
    NR(7, poll),
    NR(8, lseek),
    NR(9, mmap),
    NR(10, mprotect),
    NR(11, munmap),
    NR(12, brk),
    NR(13, rt_sigaction),
    NR(14, rt_sigprocmask),
    NR(15, rt_sigreturn),
    NR(16, ioctl),
    NR(17, pread64),
    NR(18, pwrite64),
    NR(19, readv),
    NR(20, writev),
    NR(21, access),
    NR(22, pipe),
    NR(23, select),
    NR(24, sched_yield),
    NR(25, mremap),
    NR(26, msync),
    NR(27, mincore),
    NR(28, madvise),
    NR(32, dup),
    NR(33, dup2),
    NR(34, pause),
    NR(35, nanosleep),
    NR(39, getpid),
    NR(40, sendfile),
    NR(41, socket),
    NR(42, connect),
    NR(43, accept),
    NR(44, sendto),
    NR(45, recvfrom),
    NR(46, sendmsg),
    NR(47, recvmsg),
    NR(48, shutdown),
    NR(49, bind),
    NR(50, listen),
    NR(51, getsockname),
    NR(52, getpeername),
    NR(53, socketpair),
    NR(54, setsockopt),
    NR(55, getsockopt),
    NR(56, clone),
    NR(57, fork),
    NR(58, vfork),
    NR(59, execve),
    NR(60, exit),
    NR(61, wait4),
    NR(62, kill),
    NR(63, uname),
    NR(72, fcntl),
    NR(73, flock),
    NR(74, fsync), /* fsync */
    NR(75, fsync), /* fdatasync */
    NR(76, truncate),
    NR(77, ftruncate),
    NR(79, getcwd),
    NR(80, chdir),
    NR(81, fchdir),
    NR(82, rename),
    NR(83, mkdir),
    NR(84, rmdir),
    NR(85, creat),
    NR(86, link),
    NR(87, unlink),
    NR(88, symlink),
    NR(89, readlink),
    NR(90, chmod),
    NR(91, fchmod),
    NR(92, chown),
    NR(93, fchown),
    NR(94, lchown),
    NR(95, umask),
    NR(96, gettimeofday),
    NR(97, getrlimit),
    NR(98, getrusage),
    NR(99, sysinfo),
    NR(102, getuid),
    NR(104, getuid), /* getgid */
    NR(105, setuid),
    NR(106, setuid), /* setgid */
    NR(107, getuid), /* geteuid */
    NR(108, getuid), /* getegid */
    NR(109, setpgid),
    NR(110, getppid),
    NR(111, getpgrp),
    NR(112, setsid),
    NR(115, getgroups),
    NR(116, setgroups),
    NR(121, getpgid),
    NR(124, getsid),
    NR(127, rt_sigpending),
    NR(131, sigaltstack),
    NR(133, mknod),
    NR(137, statfs),
    NR(138, fstatfs),
    NR(140, getpriority),
    NR(141, setpriority),
    NR(149, mlock),
    NR(157, prctl),
    NR(158, arch_prctl),
    NR(160, setrlimit),
    NR(162, sync),
    NR(186, gettid),
    NR(188, setxattr),
    NR(189, lsetxattr),
    NR(190, fsetxattr),
    NR(191, getxattr),
    NR(192, lgetxattr),
    NR(193, fgetxattr),
    NR(194, listxattr),
    NR(195, llistxattr),
    NR(196, flistxattr),
    NR(197, removexattr),
    NR(198, lremovexattr),
    NR(199, fremovexattr),
    NR(200, tkill),
    NR(201, time),
    NR(202, futex),
    NR(203, sched_setaffinity),
    NR(204, sched_getaffinity),
    NR(213, epoll_create),
    NR(217, getdents64),
    NR(218, set_tid_address),
    NR(221, fadvise64),
    NR(228, clock_gettime),
    NR(229, clock_getres),
    NR(230, clock_nanosleep),
    NR(231, exit_group),
    NR(232, epoll_wait),
    NR(233, epoll_ctl),
    NR(234, tgkill),
    NR(247, waitid),
    NR(251, ioprio_set),
    NR(252, ioprio_get),
    NR(253, inotify_init),
    NR(254, inotify_add_watch),
    NR(255, inotify_rm_watch),
    NR(257, openat),
    NR(258, mkdirat),
    NR(259, mknodat),
    NR(260, fchownat),
    NR(262, newfstatat),
    NR(263, unlinkat),
    NR(264, renameat),
    NR(265, linkat),
    NR(266, symlinkat),
    NR(267, readlinkat),
    NR(268, fchmodat),
    NR(269, faccessat),
    NR(270, pselect6),
    NR(271, ppoll),
    NR(273, set_robust_list),
    NR(275, splice),
    NR(276, splice), /* tee */
    NR(277, sync_file_range),
    NR(278, splice), /* vmsplice */
    NR(280, utimensat),
    NR(281, epoll_pwait),
    NR(284, eventfd),
    NR(285, fallocate),
    NR(288, accept4),
    NR(290, eventfd2),
    NR(291, epoll_create1),
    NR(292, dup3),
    NR(293, pipe2),
    NR(294, inotify_init1),
    NR(302, prlimit64),
    NR(306, syncfs),
    NR(309, getcpu),
    NR(316, renameat2),
    NR(318, getrandom),
    NR(322, execveat),
    NR(326, copy_file_range),
    NR(324, membarrier),
    NR(332, statx),
    NR(334, rseq),
    NR(424, pidfd_send_signal),
    NR(434, pidfd_open),
    NR(435, clone3),
    NR(438, pidfd_getfd),
    NR(439, faccessat2),
    NR(452, fchmodat2),
};

static uint8_t warned[SYSCALL_MAX / 8];

static long unimplemented(uint64_t nr)
{
    if (nr >= SYSCALL_MAX) {
        kprintf("gorump: unimplemented syscall %lu\n", nr);
        return -ENOSYS;
    }
    if (!(warned[nr / 8] & (1 << (nr % 8)))) {
        warned[nr / 8] |= 1 << (nr % 8);
        kprintf("gorump: unimplemented syscall %lu (%s)\n", nr,
                syscall_names[nr] ? syscall_names[nr] : "unknown");
    }
    return -ENOSYS;
}

/* gorump.strace on the kernel command line: every call and its result. */
static void trace(uint64_t nr, const struct trapframe *tf, long ret)
{
    kprintf("[%d] %s(%lx, %lx, %lx, %lx) = %ld\n", current()->tid,
            nr < SYSCALL_MAX && syscall_names[nr] ? syscall_names[nr] : "?",
            tf->rdi, tf->rsi, tf->rdx, tf->r10, ret);
}

int syscall_handler(struct trapframe *tf)
{
    static int tracing = -1;
    uint64_t nr = tf->orig_rax;
    long ret;

    bkl_enter(); /* released below, on whichever CPU runs us then */
    if (nr < SYSCALL_MAX && table[nr])
        ret = table[nr](tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
    else
        ret = unimplemented(nr);
    if (tracing < 0)
        tracing = cmdline_has("gorump.strace");
    if (tracing)
        trace(nr, tf, ret);
    if (nr != 15) /* rt_sigreturn set the whole frame */
        tf->rax = ret;

    user_return(tf);
    if (tf->orig_rax != (uint64_t)-1 && (long)tf->rax == -ERESTARTSYS) {
        /* Interrupted by a signal that needed no handler: restart. */
        tf->rax = tf->orig_rax;
        tf->rip -= 2;
        current()->full_restore = true;
    }
    struct thread *t = current();
    int full = t->full_restore || tf->rip >= USER_TOP;
    t->full_restore = false;
    bkl_leave(true);
    return full;
}
