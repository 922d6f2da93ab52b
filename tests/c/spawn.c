/*
 * tests/c/spawn.c — child processes as C libraries make them: posix_spawn
 * (clone or clone3 with CLONE_VM|CLONE_VFORK on a stack of its own), vfork
 * with _exit and with a failing execve, a child killed by a signal,
 * waitpid and waitid statuses, getppid in the child, ECHILD.  Then
 * processes by pidfd (pidfd_open, poll, pidfd_send_signal, waitid
 * P_PIDFD blocking and PIDFD_NONBLOCK, clone3 with CLONE_PIDFD,
 * pidfd_getfd), by group and session (setpgid, setsid and their errors,
 * kill(-pgid), waitpid(-pgid)), and SIGCHLD ignored or SA_NOCLDWAIT
 * (children reaped at once, wait ECHILD).  Prints what it saw, compared
 * with the native run, and SUCCESS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#define NR_pidfd_send_signal 424
#define NR_pidfd_open 434
#define NR_clone3 435
#define NR_pidfd_getfd 438
#define PIDFD_NONBLOCK O_NONBLOCK
#define CLONE_PIDFD_FLAG 0x1000

extern char **environ;
static char self[4096];
static int failed;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failed |= !ok;
}

static int pidfd_open(pid_t pid, unsigned flags)
{
    return (int)syscall(NR_pidfd_open, pid, flags);
}

static int pidfd_signal(int fd, int sig)
{
    return (int)syscall(NR_pidfd_send_signal, fd, sig, NULL, 0);
}

/* A child running this program with arg ("exit N", "wait", ...); the
 * spawn flags (POSIX_SPAWN_SETPGROUP, POSIX_SPAWN_SETSID) if any. */
static pid_t spawn(const char *arg, const char *arg2, short flags)
{
    char *argv[] = {self, (char *)arg, (char *)arg2, NULL};
    posix_spawnattr_t at;
    pid_t pid;
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, flags);
    int err = posix_spawn(&pid, self, NULL, &at, argv, environ);
    posix_spawnattr_destroy(&at);
    return err ? -err : pid;
}

static volatile siginfo_t chld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    chld = *si;
}

static int child(char **argv)
{
    if (!strcmp(argv[1], "exit"))
        return atoi(argv[2]);
    if (!strcmp(argv[1], "ppid"))
        return getppid() == atoi(argv[2]) ? 0 : 1;
    if (!strcmp(argv[1], "setsid")) /* 0: as the arguments say */
        return (setsid() < 0 ? errno : 0) != atoi(argv[2]);
    if (!strcmp(argv[1], "ids")) /* leads its own session and group */
        return !(setsid() == getpid() && getsid(0) == getpid() &&
                 getpgid(0) == getpid() && getpgrp() == getpid());
    for (;;)
        pause(); /* "wait": until killed */
}

/* clone3(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) whose child exits with code at
 * once, touching no memory (it runs on the caller's stack). */
static long clone3_exit(int *pidfd, int code)
{
    struct {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack,
            stack_size, tls;
    } ca = {0x100 | 0x4000 | CLONE_PIDFD_FLAG,
            (uintptr_t)pidfd,
            0,
            0,
            SIGCHLD,
            0,
            0,
            0};
    long ret;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov %%edx, %%edi\n\t"
                     "mov $231, %%eax\n\t"
                     "syscall\n"
                     "1:"
                     : "=a"(ret)
                     : "0"((long)NR_clone3), "D"(&ca), "S"(sizeof(ca)),
                       "d"(code)
                     : "rcx", "r11", "memory");
    return ret;
}

static void pidfds(void)
{
    int st;
    siginfo_t si;
    pid_t pid = spawn("wait", "x", 0);
    int fd = pidfd_open(pid, 0);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    check(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "pidfd_open: cloexec");
    check(poll(&p, 1, 0) == 0, "running: the pidfd polls not ready");
    struct stat sb;
    check(fstat(fd, &sb) == 0, "fstat of a pidfd");
    int nb = pidfd_open(pid, PIDFD_NONBLOCK);
    check(waitid(P_PIDFD, nb, &si, WEXITED) < 0 && errno == EAGAIN,
          "PIDFD_NONBLOCK: waitid EAGAIN");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN}, got;
    check(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0 &&
              epoll_wait(ep, &got, 1, 0) == 0,
          "running: epoll of the pidfd not ready");
    check(pidfd_signal(fd, SIGTERM) == 0, "pidfd_send_signal SIGTERM");
    check(epoll_wait(ep, &got, 1, 10000) == 1 && (got.events & EPOLLIN),
          "ended: epoll_wait sees the pidfd readable");
    close(ep);
    check(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN),
          "ended: the pidfd polls readable");
    memset(&si, 0, sizeof(si));
    check(waitid(P_PIDFD, fd, &si, WEXITED) == 0 && si.si_pid == pid &&
              si.si_code == CLD_KILLED && si.si_status == SIGTERM,
          "waitid P_PIDFD: killed by SIGTERM");
    check(pidfd_signal(fd, 0) < 0 && errno == ESRCH,
          "reaped: pidfd_send_signal ESRCH");
    check(waitid(P_PIDFD, fd, &si, WEXITED) < 0 && errno == ECHILD,
          "reaped: waitid ECHILD");
    check(pidfd_open(pid, 0) < 0 && errno == ESRCH, "reaped: pidfd_open ESRCH");
    close(fd), close(nb);
    check(pidfd_open(getpid(), 1) < 0 && errno == EINVAL,
          "pidfd_open bad flags: EINVAL");
    check(pidfd_open(0, 0) < 0 && errno == EINVAL, "pidfd_open 0: EINVAL");
    fd = pidfd_open(getpid(), 0);
    check(waitid(P_PIDFD, fd, &si, WEXITED) < 0 && errno == ECHILD,
          "own pidfd: waitid ECHILD");
    check(pidfd_signal(fd, 0) == 0, "own pidfd: signal 0");
    check(syscall(NR_pidfd_send_signal, fd, 0, NULL, 8) < 0 && errno == EINVAL,
          "pidfd_send_signal bad flags: EINVAL");
    int dup = (int)syscall(NR_pidfd_getfd, fd, 1, 0);
    check(dup >= 0 && (fcntl(dup, F_GETFD) & FD_CLOEXEC), "pidfd_getfd");
    close(dup);
    check(syscall(NR_pidfd_getfd, fd, 999, 0) < 0 && errno == EBADF,
          "pidfd_getfd of no fd: EBADF");
    close(fd);
    check(waitid(P_PIDFD, 0, &si, WEXITED) < 0 && errno == EBADF,
          "waitid P_PIDFD of a non-pidfd: EBADF");

    int cfd = -2;
    pid = (pid_t)clone3_exit(&cfd, 9);
    p = (struct pollfd){.fd = cfd, .events = POLLIN};
    check(pid > 0 && cfd >= 0 && poll(&p, 1, 10000) == 1,
          "clone3 CLONE_PIDFD: a pidfd, readable at the end");
    memset(&si, 0, sizeof(si));
    check(waitid(P_PIDFD, cfd, &si, WEXITED) == 0 && si.si_pid == pid &&
              si.si_code == CLD_EXITED && si.si_status == 9,
          "clone3 child: waitid P_PIDFD, exit 9");
    close(cfd);
    check(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no child left");
}

static void groups(void)
{
    int st;
    pid_t pid = spawn("wait", "x", POSIX_SPAWN_SETPGROUP);
    check(pid > 0 && getpgid(pid) == pid, "POSIX_SPAWN_SETPGROUP: own group");
    check(getsid(pid) == getsid(0), "the child in its parent's session");
    check(setpgid(pid, pid) < 0 && errno == EACCES,
          "setpgid of an exec'd child: EACCES");
    check(setpgid(999999, 0) < 0 && errno == ESRCH, "setpgid of nobody: ESRCH");
    check(setpgid(0, -1) < 0 && errno == EINVAL, "setpgid pgid -1: EINVAL");
    check(waitpid(-pid, &st, WNOHANG) == 0, "waitpid(-pgid): running");
    check(kill(-pid, SIGTERM) == 0, "kill(-pgid)");
    check(waitpid(-pid, &st, 0) == pid && WIFSIGNALED(st) &&
              WTERMSIG(st) == SIGTERM,
          "waitpid(-pgid): killed by SIGTERM");
    check(kill(-pid, 0) < 0 && errno == ESRCH, "empty group: kill ESRCH");
    check(waitpid(-pid, &st, 0) < 0 && errno == ECHILD,
          "empty group: waitpid ECHILD");

    pid = spawn("wait", "x", POSIX_SPAWN_SETSID);
    check(pid > 0 && getsid(pid) == pid && getpgid(pid) == pid,
          "POSIX_SPAWN_SETSID: own session");
    check(setpgid(pid, getpgrp()) < 0 && errno == EPERM,
          "setpgid across sessions: EPERM");
    check(kill(pid, SIGKILL) == 0 && waitpid(pid, &st, 0) == pid, "SIGKILL it");
    pid = spawn("setsid", "1", POSIX_SPAWN_SETPGROUP); /* 1: EPERM */
    check(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0,
          "setsid of a group leader: EPERM");
    pid = spawn("ids", "x", 0);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0,
          "setsid: leads a session and group");
    check(getsid(999999) < 0 && errno == ESRCH && getpgid(999999) < 0 &&
              errno == ESRCH,
          "getsid, getpgid of nobody: ESRCH");
}

static volatile int chlds;

static void count_chld(int sig)
{
    (void)sig;
    chlds++;
}

static void autoreap(void)
{
    int st;
    signal(SIGCHLD, SIG_IGN);
    pid_t a = spawn("exit", "1", 0), b = spawn("exit", "2", 0);
    check(waitpid(-1, &st, 0) < 0 && errno == ECHILD,
          "SIGCHLD ignored: wait ECHILD once they ended");
    check(kill(a, 0) < 0 && errno == ESRCH && kill(b, 0) < 0 && errno == ESRCH,
          "SIGCHLD ignored: reaped at once");
    struct sigaction sa = {.sa_handler = count_chld, .sa_flags = SA_NOCLDWAIT};
    sigaction(SIGCHLD, &sa, NULL);
    a = spawn("exit", "3", 0);
    check(waitpid(-1, &st, 0) < 0 && errno == ECHILD,
          "SA_NOCLDWAIT: wait ECHILD");
    check(kill(a, 0) < 0 && errno == ESRCH && chlds == 1,
          "SA_NOCLDWAIT: reaped, the handler ran");
    signal(SIGCHLD, SIG_DFL);
    a = spawn("exit", "4", 0);
    check(waitpid(a, &st, 0) == a && WEXITSTATUS(st) == 4,
          "SIG_DFL again: a zombie to wait for");
}

int main(int argc, char **argv)
{
    int st;
    if (argc > 2)
        return child(argv);
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 2;
    self[n] = 0;
    setvbuf(stdout, NULL, _IONBF, 0);

    check(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no child");
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO};
    sigaction(SIGCHLD, &sa, NULL);
    pid_t pid = spawn("exit", "7", 0);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
              WEXITSTATUS(st) == 7,
          "posix_spawn, exit 7");
    check(chld.si_signo == SIGCHLD && chld.si_pid == pid &&
              chld.si_code == CLD_EXITED && chld.si_status == 7,
          "SIGCHLD with the child's pid and status");
    signal(SIGCHLD, SIG_DFL);
    char me[16];
    snprintf(me, sizeof(me), "%d", (int)getpid());
    pid = spawn("ppid", me, 0);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0,
          "getppid in the child");

    pid = vfork();
    if (pid == 0)
        _exit(5);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 5,
          "vfork, _exit 5");
    pid = vfork();
    if (pid == 0) {
        char *none[] = {"/nonexistent", NULL};
        execve(none[0], none, environ);
        _exit(errno == ENOENT ? 127 : 1);
    }
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 127,
          "vfork, execve ENOENT");
    char *none[] = {"/nonexistent", NULL};
    check(posix_spawn(&pid, none[0], NULL, NULL, none, environ) == ENOENT,
          "posix_spawn of a missing program: ENOENT");

    pid = spawn("wait", "x", 0);
    check(pid > 0 && kill(pid, SIGTERM) == 0 && waitpid(pid, &st, 0) == pid &&
              WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "killed by SIGTERM");
    pid = spawn("exit", "3", 0);
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    check(pid > 0 && waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 &&
              si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 3,
          "waitid WNOWAIT");
    check(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3, "then waitpid");
    check(kill(pid, 0) < 0 && errno == ESRCH, "reaped: ESRCH");
    check(waitpid(-1, &st, 0) < 0 && errno == ECHILD, "no child left");
    pidfds();
    groups();
    autoreap();
    if (!failed)
        printf("SUCCESS\n");
    return failed;
}
