/*
 * tool/qemu_err.h — QEMU's own stderr.  Until the guest starts (its first
 * console byte, or QEMU_ERR_HOLD_MS) it is held back, so that when QEMU
 * fails at start-up gorump can say what went wrong in its own words — a -p
 * rule whose host port is taken, say — instead of QEMU's.  From then on
 * it is relayed to our stderr as it comes.
 */
#ifndef GORUMP_TOOL_QEMU_ERR_H
#define GORUMP_TOOL_QEMU_ERR_H

#include <stddef.h>

#include "args.h"

#define QEMU_ERR_HOLD_MS 2000

struct qemu_err {
    int fd;         /* QEMU's stderr pipe; -1 after EOF */
    int holding;    /* 1 until released */
    size_t len;     /* bytes held in buf */
    char buf[8192]; /* a full buffer is released */
};

void qemu_err_init(struct qemu_err *e, int fd);

/* Reads what is ready on e->fd: held while holding, else written out. */
void qemu_err_pump(struct qemu_err *e);

/* Writes what is held; everything after is relayed as it comes. */
void qemu_err_release(struct qemu_err *e);

/* Reads what is in the pipe now, without waiting (for a writer that may
 * have inherited it, say): kept or relayed as qemu_err_pump() would if
 * SHOW, else dropped.  At EOF e->fd is closed (and -1); the caller
 * closes it otherwise. */
void qemu_err_drain(struct qemu_err *e, int show);

/* The index in N of the -p rule that TEXT (QEMU's stderr) says QEMU could
 * not set up, or -1.  Pure. */
int qemu_err_failed_rule(const char *text, const struct run_net *n);

/* The message for -p rule F that QEMU could not set up, given ERR, the
 * errno of binding its host address and port ourselves (0 if that
 * worked: the port was freed meanwhile).  Pure. */
void qemu_err_fwd_message(const struct run_fwd *f, int err, char *buf,
                          size_t size);

/* QEMU failed before the guest started: if what it held names one of N's
 * -p rules, reports why that rule failed (trying its host port to find
 * out), drops QEMU's own text and returns 1.  Else 0. */
int qemu_err_explain(struct qemu_err *e, const struct run_net *n);

#endif
