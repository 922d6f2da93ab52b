/*
 * tool/supervise.c — the loop that runs while the guest does (see
 * supervise.h).  Output is written as it arrives, never held back: a
 * program that prints and then hangs must show what it printed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gorump/console.h>

#include "args.h"
#include "guest_in.h"
#include "hostfwd.h"
#include "proc.h"
#include "qemu_err.h"
#include "supervise.h"
#include "util.h"

/* How long QEMU may take to exit once the guest has said it is done. */
#define AFTER_RECORD_MS 2000
/* Signals taken in one poll round. */
#define MAX_SIGNALS 16

/* Where decoded bytes go; stdout_err is the first failed write's errno.
 * The kernel's own messages wait while the program is in the middle of a
 * line, so they never split one: stdout and stderr often end in one pipe
 * (go test merges them), where a message inside a line would corrupt it. */
struct sink {
    int stdout_err;
    int mid_line;      /* the last byte shown was not a newline */
    int prog_mid_line; /* the program's last byte was not a newline */
    size_t nheld;
    char held[8192]; /* kernel messages waiting for the line to end */
};

static void sink_flush(struct sink *s)
{
    if (s->nheld == 0)
        return;
    write_all(2, s->held, s->nheld);
    s->mid_line = s->held[s->nheld - 1] != '\n';
    s->nheld = 0;
}

static void sink_emit(void *ctx, int stream, const uint8_t *p, size_t n)
{
    struct sink *s = ctx;

    if (stream == GORUMP_CON_KERNEL && s->prog_mid_line) {
        size_t room = sizeof(s->held) - s->nheld;
        memcpy(s->held + s->nheld, p, n < room ? n : room);
        s->nheld += n < room ? n : room;
        return;
    }
    s->mid_line = p[n - 1] != '\n';
    if (stream != GORUMP_CON_KERNEL)
        s->prog_mid_line = s->mid_line;
    if (stream != GORUMP_CON_STDOUT) {
        write_all(2, p, n); /* nothing better to do if stderr fails */
    } else if (s->stdout_err == 0 && write_all(1, p, n) != 0) {
        s->stdout_err = errno;
    }
    if (!s->prog_mid_line)
        sink_flush(s);
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The earlier of two deadlines, 0 meaning none. */
static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a == 0 || (b != 0 && b < a) ? b : a;
}

/* Milliseconds to deadline D (0 = none) for poll(), -1 if none. */
static int poll_wait(uint64_t now, uint64_t d)
{
    if (d == 0)
        return -1;
    if (d <= now)
        return 0;
    return d - now > 60000 ? 60000 : (int)(d - now);
}

static void exited_with(int wstatus, char *buf, size_t size)
{
    if (WIFEXITED(wstatus))
        snprintf(buf, size, "exit status %d", WEXITSTATUS(wstatus));
    else
        snprintf(buf, size, "signal %d", WTERMSIG(wstatus));
}

/* The guest wrote nothing at all: no record, no byte. */
static int said_nothing(const struct con_decoder *d)
{
    return d->first_record == 0 && d->nbytes == 0;
}

/* QEMU ended in error before the guest said anything: it never started.
 * (A clean exit without output is a guest that triple-faulted at once.) */
static int failed_early(const struct con_decoder *d, int wstatus)
{
    return said_nothing(d) &&
           !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
}

int guest_status(const struct con_decoder *d, int wstatus, const char *qemu)
{
    char how[32];

    if (d->first_record == GORUMP_CON_EXIT)
        return d->exit_status;
    if (d->first_record == GORUMP_CON_PANIC)
        return GORUMP_STATUS_PANIC;
    /* We did not stop it (the caller handles that): QEMU crashed, or
     * something on the host killed it, whether or not the guest had run;
     * a guest's own end (power-off, triple fault) is an exit of QEMU's. */
    if (WIFSIGNALED(wstatus)) {
        report("%s died by signal %d (SIG%s) %s", qemu, WTERMSIG(wstatus),
               sigabbrev_np(WTERMSIG(wstatus)),
               said_nothing(d) ? "before the guest said anything"
                               : "while the guest ran");
        return GORUMP_STATUS_FAILURE;
    }
    if (failed_early(d, wstatus)) {
        exited_with(wstatus, how, sizeof(how));
        report("%s failed before the guest started (%s)", qemu, how);
        return GORUMP_STATUS_FAILURE;
    }
    report("guest stopped without an exit status (triple fault?)");
    return GORUMP_STATUS_PANIC;
}

/* The console's two transports (include/gorump/console.h): the serial
 * port, and the virtio-console port the kernel moves the stream to. */
enum { T_SERIAL, T_PORT };

/* Bytes of the transport the stream is not on, kept in order until the
 * stream comes to it (they may be read first: the two are separate
 * pipes). */
struct held {
    uint8_t *buf;
    size_t len, cap;
};

static void hold(struct held *h, const uint8_t *p, size_t n)
{
    if (h->len + n > h->cap) {
        size_t cap = h->cap ? h->cap : 65536;
        while (cap < h->len + n)
            cap *= 2;
        uint8_t *b = realloc(h->buf, cap);
        if (b == NULL) {
            report("out of memory holding guest output; %zu bytes lost", n);
            return;
        }
        h->buf = b;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, p, n);
    h->len += n;
}

/* Why the loop stopped early: a signal, the timeout, or our stdout. */
enum stop_reason { STOP_NONE, STOP_SIGNAL, STOP_TIMEOUT, STOP_STDOUT };

struct watch {
    struct con_decoder d;
    struct sink sink;
    struct qemu_err err;
    uint64_t deadline; /* the --timeout, 0 if none */
    uint64_t linger;   /* QEMU's time to exit after a record, 0 if none */
    uint64_t hold;     /* when to stop holding QEMU's stderr back */
    int sig;
    uint64_t widen;     /* next look for QEMU's -p listeners, 0 if done */
    uint64_t widen_end; /* when to stop looking */
    uint64_t grace;     /* a signal was passed on: stop QEMU then, or 0 */
    char grace_secs[32];
    int grace_expired;
    uint64_t grace_ms;
    struct guest_in in;  /* stdin and records for the guest */
    struct held held[2]; /* by transport */
    int port_eof;        /* the virtio-console port's stream ended */
    int serial_eof;      /* the serial port's too */
};

/* Decodes n bytes that came on transport t, in stream order: bytes of
 * the transport the stream is not on wait in held[t]; a switch decodes
 * what the other transport had waiting. */
static void feed(struct watch *w, int t, const uint8_t *p, size_t n)
{
    size_t k;
    struct held h;

    if (t != w->d.on_port) {
        hold(&w->held[t], p, n);
        return;
    }
    k = con_feed(&w->d, p, n, sink_emit, &w->sink);
    if (k == n && !w->d.switched)
        return;
    hold(&w->held[t], p + k, n - k);
    h = w->held[!t];
    w->held[!t] = (struct held){0};
    if (h.len > 0)
        feed(w, !t, h.buf, h.len);
    free(h.buf);
}

/* The port's stream is over (QEMU closed it, or is being stopped): what
 * the serial port holds comes now. */
static void port_ended(struct watch *w)
{
    struct held h = w->held[T_SERIAL];

    w->port_eof = 1;
    if (!w->d.on_port)
        return;
    w->d.on_port = 0;
    w->held[T_SERIAL] = (struct held){0};
    if (h.len > 0)
        feed(w, T_SERIAL, h.buf, h.len);
    free(h.buf);
}

/* One read of transport t; 0 at EOF or on a read error, else 1.  The
 * guest's first byte shows it has started: QEMU's stderr goes out first. */
static int pump(int fd, int t, struct watch *w)
{
    uint8_t buf[65536];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n < 0)
        report("reading the guest console: %s", strerror(errno));
    if (n <= 0)
        return 0;
    if (w->err.holding)
        qemu_err_release(&w->err);
    feed(w, t, buf, (size_t)n);
    return 1;
}

/* Passes the stopping signal SIG on to the program (a record on QEMU's
 * stdin, include/gorump/console.h; guest_in.h holds it until the kernel
 * takes input) unless one already was; 1 if it did, so the loop goes on
 * while the program stops by itself. */
static int forward_signal(struct watch *w, int sig)
{
    if (w->grace != 0 || guest_in_signal(&w->in, sig) != 0)
        return 0;
    w->grace = now_ms() + w->grace_ms;
    args_format_seconds(w->grace_ms, w->grace_secs, sizeof(w->grace_secs));
    return guest_in_flush(&w->in, w->d.ready) == 0;
}

/* Passes a signal that is not a stop request (SIGHUP, SIGUSR1, SIGUSR2:
 * a daemon's reload or log rotation) on to the program, with no timer.
 * Held records are few; a signal that finds no room is dropped with a
 * warning, as a pending standard signal absorbs its repeats on Linux. */
static void pass_signal(struct watch *w, int sig)
{
    if (guest_in_signal(&w->in, sig) != 0)
        report("warning: SIG%s could not be passed on to the program",
               sigabbrev_np(sig));
}

/* QEMU's -p listeners get a backlog that takes bursts of connections
 * (hostfwd.h).  QEMU makes them while it sets up, so the tool looks every
 * WIDEN_EVERY_MS until they all exist.  Forwarding works without it, so
 * a failure is a warning. */
#define WIDEN_EVERY_MS 10
#define WIDEN_FOR_MS 10000

static void widen_listeners(const struct guest *g, struct watch *w,
                            uint64_t now)
{
    int want = hostfwd_listeners(g->net), r;

    if (now < w->widen)
        return;
    r = hostfwd_widen(g->pid, g->net);
    w->widen = now + WIDEN_EVERY_MS;
    if (r >= want || r < 0 || now >= w->widen_end)
        w->widen = 0;         /* done, failed, or given up */
    if (r < 0 && r != -ESRCH) /* ESRCH: QEMU has exited */
        report("warning: cannot widen the backlog of QEMU's -p listeners "
               "(%s): connections that arrive together may wait seconds",
               strerror(-r));
}

/* One poll round; returns a stop reason, or STOP_NONE (and sets *eof). */
static enum stop_reason watch_once(const struct guest *g, struct watch *w,
                                   int *eof)
{
    int sigs[MAX_SIGNALS], nsig;
    struct pollfd pfd[6] = {
        {.fd = w->serial_eof ? -1 : g->out_fd, .events = POLLIN},
        {.fd = g->sigfd, .events = POLLIN},
        {.fd = w->err.fd, .events = POLLIN},
        {.fd = guest_in_want_read(&w->in, w->d.ready, w->d.credits) ? w->in.src
                                                                    : -1,
         .events = POLLIN},
        {.fd = guest_in_want_write(&w->in, w->d.ready) ? w->in.fd : -1,
         .events = POLLOUT},
        {.fd = w->port_eof ? -1 : g->port_fd, .events = POLLIN}};
    uint64_t now = now_ms();

    if (w->d.first_record != 0 && w->linger == 0)
        w->linger = now + AFTER_RECORD_MS;
    if (w->linger != 0 && now >= w->linger)
        return STOP_TIMEOUT; /* QEMU lingers: the record already decided */
    if (w->linger == 0 && w->deadline != 0 && now >= w->deadline)
        return STOP_TIMEOUT;
    if (w->linger == 0 && w->grace != 0 && now >= w->grace) {
        w->grace_expired = 1;
        return STOP_SIGNAL;
    }
    if (w->err.holding && now >= w->hold)
        qemu_err_release(&w->err);
    if (w->widen != 0)
        widen_listeners(g, w, now);
    if (poll(pfd, 6,
             poll_wait(now,
                       earliest(earliest(w->deadline, w->linger),
                                earliest(earliest(w->err.holding ? w->hold : 0,
                                                  w->widen),
                                         w->grace)))) < 0)
        return STOP_NONE; /* EINTR: go round again */
    nsig = signals_take_all(g->sigfd, sigs, MAX_SIGNALS);
    for (int i = 0; i < nsig; i++) {
        if (!signal_stops(sigs[i])) {
            pass_signal(w, sigs[i]);
            continue;
        }
        w->sig = sigs[i];
        /* Two at once (^C twice, say) is the second: stop now. */
        if (!forward_signal(w, sigs[i]))
            return STOP_SIGNAL;
    }
    if (pfd[2].revents != 0)
        qemu_err_pump(&w->err);
    if (pfd[5].revents != 0 && !pump(g->port_fd, T_PORT, w))
        port_ended(w);
    if (pfd[0].revents != 0 && !pump(g->out_fd, T_SERIAL, w))
        w->serial_eof = 1;
    if (w->serial_eof && w->port_eof)
        *eof = 1;
    if (pfd[3].revents != 0)
        guest_in_read(&w->in, w->d.credits);
    if (guest_in_flush(&w->in, w->d.ready) != 0) {
        if (w->grace != 0)
            return STOP_SIGNAL; /* the signal cannot get through */
        w->in.fd = -1;          /* QEMU is going: its exit will show */
    }
    return w->sink.stdout_err != 0 ? STOP_STDOUT : STOP_NONE;
}

/* Stops QEMU for REASON and returns gorump's exit status. */
static int stop_guest(const struct guest *g, struct watch *w,
                      enum stop_reason reason)
{
    int wstatus;
    char secs[32];

    /* What QEMU said before we stop it is shown; its "terminating on
     * signal" after is not news. */
    qemu_err_drain(&w->err, 1);
    qemu_err_release(&w->err);
    if (w->grace_expired)
        report("the program did not exit within %s s of SIG%s; stopping it",
               w->grace_secs, sigabbrev_np(w->sig));
    wstatus = stop_child(g->pid, reason == STOP_SIGNAL ? w->sig : SIGKILL);
    qemu_err_drain(&w->err, 0);
    if (reason == STOP_SIGNAL)
        return 128 + w->sig;
    if (reason == STOP_STDOUT) {
        if (w->sink.stdout_err == EPIPE)
            return 128 + SIGPIPE; /* as the program would have died */
        report("writing to stdout: %s", strerror(w->sink.stdout_err));
        return GORUMP_STATUS_FAILURE;
    }
    if (w->d.first_record != 0)
        return guest_status(&w->d, wstatus, g->qemu);
    args_format_seconds(g->timeout_ms, secs, sizeof(secs));
    report("timed out after %s s", secs);
    return GORUMP_STATUS_TIMEOUT;
}

/* Our own messages start on a line of their own, unless the program
 * exited normally: then its output is left exactly as it was. */
static void end_line(struct watch *w)
{
    if (w->sink.nheld != 0 && w->sink.mid_line)
        write_all(2, "\n", 1);
    sink_flush(&w->sink);
    if (w->sink.mid_line && w->d.first_record != GORUMP_CON_EXIT)
        write_all(2, "\n", 1);
}

/* QEMU has exited by itself: a -p rule it refused is explained, any
 * other message of its shown. */
static int guest_end(const struct guest *g, struct watch *w, int wstatus)
{
    qemu_err_drain(&w->err, 1);
    if (failed_early(&w->d, wstatus) && g->net != NULL &&
        qemu_err_explain(&w->err, g->net))
        return GORUMP_STATUS_FAILURE;
    qemu_err_release(&w->err);
    return guest_status(&w->d, wstatus, g->qemu);
}

int supervise(const struct guest *g)
{
    struct watch w = {.deadline = 0};
    enum stop_reason reason = STOP_NONE;
    int eof = 0, wstatus = 0, status;

    con_init(&w.d);
    w.port_eof = g->port_fd < 0;
    qemu_err_init(&w.err, g->err_fd);
    w.hold = now_ms() + QEMU_ERR_HOLD_MS;
    w.grace_ms = g->stop_grace_ms;
    guest_in_init(&w.in, g->in_fd, g->stdin_src);
    if (g->net != NULL && hostfwd_listeners(g->net) > 0) {
        w.widen = now_ms();
        w.widen_end = w.widen + WIDEN_FOR_MS;
    }
    if (g->timeout_ms != 0)
        w.deadline = now_ms() + g->timeout_ms;
    while (!eof && reason == STOP_NONE &&
           !(g->leave_early && w.d.first_record == GORUMP_CON_EXIT))
        reason = watch_once(g, &w, &eof);
    port_ended(&w); /* whatever the serial port still holds */
    if (reason != STOP_NONE)
        end_line(&w);
    if (reason != STOP_NONE) {
        status = stop_guest(g, &w, reason);
    } else if (!eof) { /* leave_early: the exit record is all there is */
        kill(g->pid, SIGKILL);
        end_line(&w);
        qemu_err_drain(&w.err, 1);
        qemu_err_release(&w.err);
        status = w.d.exit_status;
    } else {
        while (waitpid(g->pid, &wstatus, 0) < 0 && errno == EINTR)
            ;
        end_line(&w);
        status = guest_end(g, &w, wstatus);
    }
    if (w.err.fd >= 0)
        close(w.err.fd);
    close(g->out_fd);
    if (g->port_fd >= 0)
        close(g->port_fd);
    free(w.held[T_SERIAL].buf);
    free(w.held[T_PORT].buf);
    if (g->in_fd >= 0)
        close(g->in_fd);
    return status;
}
