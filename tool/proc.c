/*
 * tool/proc.c — starting, waiting for and stopping children, and taking
 * signals through a signalfd (see proc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define STOP_GRACE_MS 2000

static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
    sigaddset(set, SIGCHLD);
}

int signals_setup(void)
{
    sigset_t set;
    int fd;

    signal(SIGPIPE, SIG_IGN);
    stop_signals(&set);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        report("sigprocmask: %s", strerror(errno));
        return -1;
    }
    fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0)
        report("signalfd: %s", strerror(errno));
    return fd;
}

int signals_take_all(int sigfd, int *sigs, int max)
{
    struct signalfd_siginfo si;
    int n = 0;

    while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        int sig = (int)si.ssi_signo;
        if (sig != SIGCHLD && n < max)
            sigs[n++] = sig;
    }
    return n;
}

int signals_take(int sigfd)
{
    int sigs[8];

    return signals_take_all(sigfd, sigs, 8) > 0 ? sigs[0] : 0;
}

int signal_stops(int sig)
{
    return sig == SIGINT || sig == SIGTERM;
}

/* In the child, between fork and exec: nothing here may return. */
static void child_exec(const struct spawn *s, pid_t parent)
{
    sigset_t none;
    int null;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (s->new_pgrp)
        setpgid(0, 0);
    if (getppid() != parent)
        _exit(127); /* the tool died before prctl took effect */
    null = s->stdin_fd > 0 ? s->stdin_fd : open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 ||
        (s->stdout_fd >= 0 && dup2(s->stdout_fd, 1) < 0) ||
        (s->stderr_fd >= 0 && dup2(s->stderr_fd, 2) < 0) ||
        (s->fd3 > 0 && s->fd3 != 3 && dup2(s->fd3, 3) < 0) ||
        (s->fd3 == 3 && fcntl(3, F_SETFD, 0) < 0)) {
        report("%s: cannot set up its standard I/O: %s", s->path,
               strerror(errno));
        _exit(127);
    }
    if (s->dir != NULL && chdir(s->dir) != 0) {
        report("%s: %s", s->dir, strerror(errno));
        _exit(127);
    }
    for (int i = 0; s->env != NULL && s->env[i] != NULL; i++)
        putenv(s->env[i]);
    execv(s->path, s->argv);
    report("%s: %s", s->path, strerror(errno));
    _exit(127);
}

pid_t spawn_child(const struct spawn *s)
{
    pid_t parent = getpid(), pid;

    fflush(stdout); /* or the child's report() would print it again */
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        report("cannot start %s: %s", s->path, strerror(errno));
        return -1;
    }
    if (pid == 0)
        child_exec(s, parent);
    if (s->new_pgrp)
        setpgid(pid, pid); /* also here, so no ^C slips in before */
    return pid;
}

/* waitpid that retries EINTR; 1 if PID has exited, 0 if not yet. */
static int reap(pid_t pid, int *wstatus, int flags)
{
    pid_t r;

    do {
        r = waitpid(pid, wstatus, flags);
    } while (r < 0 && errno == EINTR);
    return r == pid || (r < 0 && errno == ECHILD);
}

int wait_child(pid_t pid, int sigfd, int *wstatus)
{
    struct pollfd pfd = {.fd = sigfd, .events = POLLIN};
    int sig;

    *wstatus = 0;
    while (!reap(pid, wstatus, WNOHANG)) {
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            reap(pid, wstatus, 0);
            return 0;
        }
        sig = signals_take(sigfd);
        if (sig != 0) {
            *wstatus = stop_child(pid, sig);
            return sig;
        }
    }
    return 0;
}

int stop_child(pid_t pid, int sig)
{
    struct timespec tick = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
    int wstatus = 0;

    kill(pid, sig);
    for (int ms = 0; ms < STOP_GRACE_MS; ms += 10) {
        if (reap(pid, &wstatus, WNOHANG))
            return wstatus;
        nanosleep(&tick, NULL);
    }
    kill(pid, SIGKILL);
    reap(pid, &wstatus, 0);
    return wstatus;
}
