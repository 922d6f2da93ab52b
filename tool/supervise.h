/*
 * tool/supervise.h — watching a running guest: its console decoded live
 * to our stdout and stderr, QEMU's own stderr (qemu_err.h), the timeout,
 * signals, and the exit status it ends with.
 */
#ifndef GORUMP_TOOL_SUPERVISE_H
#define GORUMP_TOOL_SUPERVISE_H

#include <stdint.h>
#include <sys/types.h>

#include "args.h"
#include "console.h"

/* How long a program has to exit after a signal passed on to it, unless
 * GORUMP_STOP_TIMEOUT says otherwise (run.c). */
#define STOP_GRACE_DEFAULT_S 10

struct guest {
    pid_t pid;                 /* QEMU */
    int in_fd;                 /* its stdin: the serial port's input */
    int stdin_src;             /* our stdin to pass on (-i), or -1 */
    int out_fd;                /* its stdout: the guest's serial port */
    int port_fd;               /* the virtio-console port's stream, or -1 */
    int err_fd;                /* its stderr */
    int sigfd;                 /* from signals_setup() */
    uint64_t timeout_ms;       /* 0: none */
    uint64_t stop_grace_ms;    /* to exit after a signal passed on */
    const char *qemu;          /* QEMU's path, for messages */
    const struct run_net *net; /* to explain a -p rule QEMU refused */
    /* Once the program's exit record is in, QEMU is stopped and left to
     * die unwaited: its teardown (unmapping the guest's memory and the
     * translated code) takes milliseconds and tells nothing.  Only for a
     * QEMU that holds nothing a next run could need at once (no writable
     * disk, volume, tap device or forwarded host port). */
    int leave_early;
};

/*
 * Runs until QEMU exits (or, with leave_early, the exit record is in), the
 * timeout expires or a stopping signal comes; QEMU is reaped in every case
 * but leave_early's, and in_fd, out_fd, port_fd and err_fd closed.
 * The first SIGINT or SIGTERM goes to the program (a signal record on in_fd),
 * which has stop_grace_ms to exit by itself; a second one, or the end of
 * that time, stops QEMU.  SIGHUP, SIGUSR1 and SIGUSR2 go to the program
 * as they come, stopping nothing.  Returns gorump's
 * exit status: the program's own, or GORUMP_STATUS_* (or 128+signal).
 */
int supervise(const struct guest *g);

/*
 * The exit status for a guest whose console decoded to *d and whose QEMU
 * ended with wait status WSTATUS; reports anything that is not the
 * program's own status.  Pure apart from that message.
 */
int guest_status(const struct con_decoder *d, int wstatus, const char *qemu);

#endif
