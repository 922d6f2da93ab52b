/*
 * tool/proc.h — child processes (go, QEMU) and the signals that stop the
 * tool.  SIGINT, SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are blocked and read
 * from a signalfd,
 * so the tool always gets to stop its child and delete its temporary files
 * before it exits with 128+signal.
 */
#ifndef GORUMP_TOOL_PROC_H
#define GORUMP_TOOL_PROC_H

#include <sys/types.h>

/* Blocks SIGINT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 and SIGCHLD, ignores
 * SIGPIPE (write errors are handled where they happen) and returns a
 * non-blocking signalfd for them, or -1 (reported). */
int signals_setup(void);

/* Reads every pending signal from SIGFD and returns the first of them
 * but SIGCHLD, or 0 if there is none: before the guest runs, each stops
 * the tool (their default action would). */
int signals_take(int sigfd);
/* The same, keeping the first MAX of them in order in SIGS: how many. */
int signals_take_all(int sigfd, int *sigs, int max);
/* Whether SIG asks a running guest to stop (SIGINT, SIGTERM: the graceful
 * stop); the others are passed on to the program as they are. */
int signal_stops(int sig);

struct spawn {
    const char *path; /* the executable */
    char *const *argv;
    const char *dir;  /* working directory, or NULL */
    int stdin_fd;     /* becomes fd 0 if > 0, else /dev/null does (the tool
                         keeps 0-2 open, so a pipe is never fd 0) */
    int new_pgrp;     /* in a process group of its own: a terminal's ^C
                         reaches the tool alone, which decides */
    int stdout_fd;    /* becomes fd 1, or -1 to inherit */
    int stderr_fd;    /* becomes fd 2, or -1 to inherit */
    int fd3;          /* becomes fd 3 if > 0 (0: none) */
    char *const *env; /* NULL-terminated "KEY=VALUE" to set, or NULL */
};

/*
 * Starts a child with stdin on /dev/null (or stdin_fd), the signal mask and
 * SIGPIPE reset, and PR_SET_PDEATHSIG so it dies with the tool.  Returns its
 * pid, or -1 (reported).  If exec fails the child reports it and exits 127.
 */
pid_t spawn_child(const struct spawn *s);

/*
 * Waits for PID while watching SIGFD.  Returns 0 with the wait status in
 * *wstatus once it exits, or, when a stopping signal arrives first, stops
 * the child with stop_child() and returns that signal's number.
 */
int wait_child(pid_t pid, int sigfd, int *wstatus);

/* Sends SIG to PID, gives it two seconds to exit, then SIGKILLs and reaps
 * it.  Returns its wait status. */
int stop_child(pid_t pid, int sig);

#endif
