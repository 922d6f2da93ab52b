/*
 * sys/syscall.h — the Linux x86-64 system-call table.  Handlers take the
 * six argument registers (rdi, rsi, rdx, r10, r8, r9) as longs and return
 * a result or a negative errno, exactly what the program sees in rax.
 */
#ifndef SYS_SYSCALL_H
#define SYS_SYSCALL_H

#include "arch/x86_64/arch.h"

#define SYSCALL_MAX 512

typedef long (*syscall_fn_t)(long, long, long, long, long, long);
extern const char *const syscall_names[SYSCALL_MAX];

/* The handler for a SYSCALL from user mode; nonzero means "return by
 * iretq" (see trap.S). */
int syscall_handler(struct trapframe *tf);

#define SYSCALL_ARGS long a0, long a1, long a2, long a3, long a4, long a5
#define SYS(name) long sys_##name(SYSCALL_ARGS)

struct node;
/* statfs of the file system holding n (the tree's when n is NULL), to a
 * user struct statfs. */
long fs_statfs(struct node *n, uint64_t ubuf);

/* sys_fd.c */
SYS(read);
SYS(write);
SYS(readv);
SYS(writev);
SYS(pread64);
SYS(pwrite64);
SYS(close);
SYS(dup);
SYS(dup2);
SYS(dup3);
SYS(fcntl);
SYS(ioctl);
SYS(fstat);
SYS(newfstatat);
SYS(lseek);
SYS(open);
SYS(openat);
SYS(pipe);
SYS(pipe2);
SYS(eventfd);
SYS(eventfd2);
SYS(epoll_create);
SYS(epoll_create1);
SYS(epoll_ctl);
SYS(epoll_wait);
SYS(epoll_pwait);
SYS(ppoll);
SYS(select);
SYS(pselect6);
SYS(poll);
SYS(getdents64);
SYS(ftruncate);
SYS(fsync);
SYS(sync);
SYS(syncfs);
SYS(sync_file_range);
SYS(fchmod);
SYS(fchown);
SYS(fstatfs);
SYS(sendfile);
SYS(copy_file_range);
SYS(flock);
SYS(fadvise64);
SYS(fallocate);
SYS(splice);
/* sys_path.c */
SYS(creat);
SYS(stat);
SYS(lstat);
SYS(statx);
SYS(mkdirat);
SYS(mkdir);
SYS(mknodat);
SYS(mknod);
SYS(unlinkat);
SYS(unlink);
SYS(rmdir);
SYS(renameat2);
SYS(renameat);
SYS(rename);
SYS(linkat);
SYS(link);
SYS(symlinkat);
SYS(symlink);
SYS(readlinkat);
SYS(readlink);
SYS(faccessat2);
SYS(faccessat);
SYS(access);
SYS(fchmodat);
SYS(fchmodat2);
SYS(chmod);
SYS(fchownat);
SYS(chown);
SYS(lchown);
SYS(utimensat);
SYS(chdir);
SYS(fchdir);
SYS(getcwd);
SYS(truncate);
SYS(statfs);
/* sys_net.c */
/* readv/writev on a socket: the whole iovec is one message (one datagram
 * sent, one received), as Linux's sock_read_iter/sock_write_iter. */
long net_iov_io(int fd, uint64_t uiov, long cnt, bool write);
SYS(socket);
SYS(socketpair);
SYS(bind);
SYS(listen);
SYS(accept);
SYS(accept4);
SYS(connect);
SYS(shutdown);
SYS(getsockname);
SYS(getpeername);
SYS(setsockopt);
SYS(getsockopt);
SYS(sendto);
SYS(recvfrom);
SYS(sendmsg);
SYS(recvmsg);
/* sys_mm.c */
SYS(mmap);
SYS(munmap);
SYS(mprotect);
SYS(madvise);
SYS(mremap);
SYS(msync);
SYS(brk);
SYS(mlock);
SYS(mincore);
/* sys_thread.c */
SYS(clone);
SYS(exit);
SYS(exit_group);
SYS(futex);
SYS(gettid);
SYS(getpid);
SYS(getppid);
SYS(set_tid_address);
SYS(set_robust_list);
SYS(rseq);
SYS(clone3);
SYS(membarrier);
SYS(sched_yield);
SYS(sched_getaffinity);
SYS(sched_setaffinity);
SYS(getcpu);
SYS(arch_prctl);
SYS(fork);
SYS(getrusage);
/* sys_signal.c */
SYS(rt_sigaction);
SYS(rt_sigprocmask);
SYS(rt_sigreturn);
SYS(rt_sigpending);
SYS(sigaltstack);
SYS(kill);
SYS(tkill);
SYS(tgkill);
SYS(pause);
/* sys_time.c */
SYS(clock_gettime);
SYS(clock_getres);
SYS(gettimeofday);
SYS(time);
SYS(nanosleep);
SYS(clock_nanosleep);
/* sys_misc.c */
SYS(uname);
SYS(getrandom);
SYS(getrlimit);
SYS(setrlimit);
SYS(prlimit64);
SYS(getuid);
SYS(sysinfo);
SYS(prctl);
SYS(umask);
SYS(getgroups);
SYS(setuid);
SYS(setgroups);
SYS(wait4);
SYS(waitid);
SYS(vfork);
SYS(execve);
SYS(execveat);
SYS(pidfd_open);
SYS(pidfd_send_signal);
SYS(pidfd_getfd);
/* sys_proc.c */
SYS(getpriority);
SYS(setpriority);
SYS(ioprio_get);
SYS(ioprio_set);
SYS(getpgid);
SYS(getsid);
SYS(getpgrp);
SYS(setsid);
SYS(setpgid);
/* sys_xattr.c */
SYS(setxattr);
SYS(lsetxattr);
SYS(fsetxattr);
SYS(getxattr);
SYS(lgetxattr);
SYS(fgetxattr);
SYS(listxattr);
SYS(llistxattr);
SYS(flistxattr);
SYS(removexattr);
SYS(lremovexattr);
SYS(fremovexattr);
/* sys_inotify.c */
SYS(inotify_init);
SYS(inotify_init1);
SYS(inotify_add_watch);
SYS(inotify_rm_watch);

#endif
