/*
 * tests/unit/test_abi.c — the kernel's own definitions of Linux ABI
 * structures (kernel/sys/abi.h) against Debian's UAPI headers: every size
 * and every field offset the kernel uses must match, so a layout mistake
 * fails here instead of inside a Go program.  Likewise every constant of
 * kernel/lib/linux_abi.h and kernel/lib/errno.h against the UAPI's and the
 * C library's (abi_const.h): each must be known to one of them, and equal
 * to what every one that knows it says.
 */
#include <asm/sigcontext.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/stat.h>
#include <asm/ucontext.h>
#include <asm/statfs.h>
#include <linux/eventpoll.h>
#include <linux/stat.h>
#include <linux/resource.h>
#include <linux/sysinfo.h>
#include <linux/time_types.h>
#include <linux/uio.h>
#include <linux/utsname.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "../../kernel/sys/abi.h"
#include "abi_const.h"

static int passed, failed;

static void same(const char *what, size_t ours, size_t theirs)
{
    if (ours == theirs) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: ours %zu, UAPI %zu\n", what, ours, theirs);
}

#define SIZE(ours, theirs) same("sizeof " #ours, sizeof(ours), sizeof(theirs))
#define FIELD(ours, of, theirs, tf)                                            \
    same(#ours "." #of, offsetof(ours, of), offsetof(theirs, tf))

static void test_signal_frames(void)
{
    SIZE(struct linux_sigcontext, struct sigcontext);
    FIELD(struct linux_sigcontext, r8, struct sigcontext, r8);
    FIELD(struct linux_sigcontext, rdi, struct sigcontext, rdi);
    FIELD(struct linux_sigcontext, rsp, struct sigcontext, rsp);
    FIELD(struct linux_sigcontext, rip, struct sigcontext, rip);
    FIELD(struct linux_sigcontext, eflags, struct sigcontext, eflags);
    FIELD(struct linux_sigcontext, cs, struct sigcontext, cs);
    FIELD(struct linux_sigcontext, ss, struct sigcontext, ss);
    FIELD(struct linux_sigcontext, err, struct sigcontext, err);
    FIELD(struct linux_sigcontext, trapno, struct sigcontext, trapno);
    FIELD(struct linux_sigcontext, oldmask, struct sigcontext, oldmask);
    FIELD(struct linux_sigcontext, cr2, struct sigcontext, cr2);
    FIELD(struct linux_sigcontext, fpstate, struct sigcontext, fpstate);
    SIZE(struct linux_ucontext, struct ucontext);
    FIELD(struct linux_ucontext, uc_stack, struct ucontext, uc_stack);
    FIELD(struct linux_ucontext, uc_mcontext, struct ucontext, uc_mcontext);
    FIELD(struct linux_ucontext, uc_sigmask, struct ucontext, uc_sigmask);
    SIZE(struct linux_stack, stack_t);
    FIELD(struct linux_stack, ss_flags, stack_t, ss_flags);
    FIELD(struct linux_stack, ss_size, stack_t, ss_size);
    SIZE(struct linux_siginfo, siginfo_t);
    FIELD(struct linux_siginfo, si_code, siginfo_t, si_code);
    FIELD(struct linux_siginfo, u.kill.pid, siginfo_t, si_pid);
    FIELD(struct linux_siginfo, u.kill.uid, siginfo_t, si_uid);
    FIELD(struct linux_siginfo, u.addr, siginfo_t, si_addr);
    FIELD(struct linux_siginfo, u.chld.pid, siginfo_t, si_pid);
    FIELD(struct linux_siginfo, u.chld.status, siginfo_t, si_status);
    FIELD(struct linux_siginfo, u.chld.utime, siginfo_t, si_utime);
    FIELD(struct linux_siginfo, u.chld.stime, siginfo_t, si_stime);
    SIZE(struct linux_sigaction, struct sigaction);
    FIELD(struct linux_sigaction, flags, struct sigaction, sa_flags);
    FIELD(struct linux_sigaction, restorer, struct sigaction, sa_restorer);
    FIELD(struct linux_sigaction, mask, struct sigaction, sa_mask);
    /* The frame is pretcode, ucontext, siginfo (arch/x86/include/asm/
     * sigframe.h, not exported): check the arithmetic it implies. */
    same("rt_sigframe.uc", offsetof(struct linux_rt_sigframe, uc), 8);
    same("rt_sigframe.info", offsetof(struct linux_rt_sigframe, info),
         8 + sizeof(struct ucontext));
}

static void test_misc(void)
{
    SIZE(struct linux_timespec, struct __kernel_timespec);
    SIZE(struct linux_epoll_event, struct epoll_event);
    FIELD(struct linux_epoll_event, data, struct epoll_event, data);
    SIZE(struct linux_utsname, struct new_utsname);
    FIELD(struct linux_utsname, machine, struct new_utsname, machine);
    SIZE(struct linux_rlimit, struct rlimit64);
    SIZE(struct linux_iovec, struct iovec);
    SIZE(struct linux_stat, struct stat);
    FIELD(struct linux_stat, st_mode, struct stat, st_mode);
    FIELD(struct linux_stat, st_rdev, struct stat, st_rdev);
    FIELD(struct linux_stat, st_size, struct stat, st_size);
    FIELD(struct linux_stat, st_blocks, struct stat, st_blocks);
    FIELD(struct linux_stat, st_mtim, struct stat, st_mtime);
    SIZE(struct linux_sysinfo, struct sysinfo);
    FIELD(struct linux_sysinfo, totalram, struct sysinfo, totalram);
    FIELD(struct linux_sysinfo, procs, struct sysinfo, procs);
    FIELD(struct linux_sysinfo, totalhigh, struct sysinfo, totalhigh);
    FIELD(struct linux_sysinfo, mem_unit, struct sysinfo, mem_unit);
    SIZE(struct linux_statx, struct statx);
    FIELD(struct linux_statx, stx_mode, struct statx, stx_mode);
    FIELD(struct linux_statx, stx_ino, struct statx, stx_ino);
    FIELD(struct linux_statx, stx_size, struct statx, stx_size);
    FIELD(struct linux_statx, stx_mtime, struct statx, stx_mtime);
    FIELD(struct linux_statx, stx_rdev_major, struct statx, stx_rdev_major);
    FIELD(struct linux_statx, stx_mnt_id, struct statx, stx_mnt_id);
    SIZE(struct linux_statfs, struct statfs64);
    FIELD(struct linux_statfs, f_fsid, struct statfs64, f_fsid);
    FIELD(struct linux_statfs, f_namelen, struct statfs64, f_namelen);
    FIELD(struct linux_statfs, f_flags, struct statfs64, f_flags);
}

/* Values only the kernel sees, never a program: no host header has them. */
static bool kernel_internal(const char *name)
{
    return !strcmp(name, "ERESTARTSYS");
}

static void check_host(const struct abi_const *ours,
                       const struct abi_const *host, const char *which)
{
    if (!host->known)
        return;
    if (ours->value == host->value) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s: ours %lld, %s %lld\n", ours->name, ours->value, which,
           host->value);
}

static void test_constants(void)
{
    for (size_t i = 0; i < abi_nconst; i++) {
        const struct abi_const *o = &abi_ours[i];
        bool known = abi_uapi[i].known || abi_libc[i].known;
        if (known == kernel_internal(o->name)) {
            failed++;
            printf("FAIL %s: %s\n", o->name,
                   known ? "a host header defines this kernel-internal value"
                         : "no host header defines it");
            continue;
        }
        check_host(o, &abi_uapi[i], "UAPI");
        check_host(o, &abi_libc[i], "libc");
    }
}

int main(void)
{
    test_signal_frames();
    test_misc();
    test_constants();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
