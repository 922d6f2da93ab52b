/*
 * tool/qemu_err.c — holding, relaying and explaining QEMU's stderr (see
 * qemu_err.h).  QEMU 7.2 reports a -netdev user,hostfwd= rule it cannot
 * bind as "... Could not set up host forwarding rule 'tcp:A:P-:G'" and
 * exits 1 before the guest runs, without saying why; we bind the same
 * address and port ourselves to find out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qemu_err.h"
#include "qemu_net.h"
#include "util.h"

#define FWD_FAILED "Could not set up host forwarding rule '"

void qemu_err_init(struct qemu_err *e, int fd)
{
    e->fd = fd;
    e->holding = 1;
    e->len = 0;
}

void qemu_err_release(struct qemu_err *e)
{
    if (e->len > 0)
        write_all(2, e->buf, e->len); /* nothing better to do on failure */
    e->len = 0;
    e->holding = 0;
}

/* One read, dropped unless SHOW; 0 at EOF or on an error (then e->fd is
 * closed) or when nothing is there, else 1. */
static int qemu_err_read(struct qemu_err *e, int show)
{
    char tmp[4096];
    int keep = show && e->holding;
    char *p = keep ? e->buf + e->len : tmp;
    size_t room = keep ? sizeof(e->buf) - 1 - e->len : sizeof(tmp);
    ssize_t n = read(e->fd, p, room);

    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0) {
        if (n == 0 || errno != EAGAIN) {
            close(e->fd);
            e->fd = -1;
        }
        return 0;
    }
    if (!show)
        return 1;
    if (!e->holding)
        write_all(2, tmp, (size_t)n);
    else if ((e->len += (size_t)n) == sizeof(e->buf) - 1)
        qemu_err_release(e); /* too much to be a start-up failure */
    return 1;
}

void qemu_err_pump(struct qemu_err *e)
{
    if (e->fd >= 0)
        qemu_err_read(e, 1);
}

void qemu_err_drain(struct qemu_err *e, int show)
{
    if (e->fd < 0)
        return;
    fcntl(e->fd, F_SETFL, O_NONBLOCK);
    while (qemu_err_read(e, show))
        ;
}

int qemu_err_failed_rule(const char *text, const struct run_net *n)
{
    const char *p = strstr(text, FWD_FAILED), *end;
    char rule[64];

    if (p == NULL)
        return -1;
    p += strlen(FWD_FAILED);
    end = strchr(p, '\'');
    for (int i = 0; end != NULL && i < n->nfwd; i++) {
        qemu_net_rule(&n->fwd[i], rule, sizeof(rule));
        if (strlen(rule) == (size_t)(end - p) &&
            strncmp(rule, p, (size_t)(end - p)) == 0)
            return i;
    }
    return -1;
}

void qemu_err_fwd_message(const struct run_fwd *f, int err, char *buf,
                          size_t size)
{
    const char *proto = f->udp ? "/udp" : "";

    switch (err) {
    case EADDRINUSE:
        snprintf(buf, size,
                 "-p %s: host port %u%s is in use (choose another: "
                 "-p HOSTPORT:%u%s)",
                 f->spec, f->host_port, proto, f->guest_port, proto);
        break;
    case EADDRNOTAVAIL:
        snprintf(buf, size, "-p %s: %s is not an address of this host", f->spec,
                 f->host_ip);
        break;
    case EACCES:
        snprintf(buf, size,
                 "-p %s: no permission to use host port %u%s (ports "
                 "below 1024 need privileges)",
                 f->spec, f->host_port, proto);
        break;
    case 0:
        snprintf(buf, size,
                 "-p %s: QEMU could not forward host port %u%s (it was "
                 "busy then, free now)",
                 f->spec, f->host_port, proto);
        break;
    default:
        snprintf(buf, size, "-p %s: QEMU could not forward host port %u%s: %s",
                 f->spec, f->host_port, proto, strerror(err));
    }
}

/* Binds F's host address and port as QEMU's slirp does (TCP with
 * SO_REUSEADDR, so a socket in TIME_WAIT is no obstacle); 0 or errno. */
static int fwd_probe(const struct run_fwd *f)
{
    struct sockaddr_in sin = {.sin_family = AF_INET,
                              .sin_port = htons((uint16_t)f->host_port)};
    int one = 1, err = 0;
    int s =
        socket(AF_INET, (f->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

    if (s < 0)
        return errno;
    inet_pton(AF_INET, f->host_ip, &sin.sin_addr);
    if (!f->udp)
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        err = errno;
    close(s);
    return err;
}

int qemu_err_explain(struct qemu_err *e, const struct run_net *n)
{
    char msg[256];
    int i;

    if (!e->holding)
        return 0;
    e->buf[e->len] = '\0';
    i = qemu_err_failed_rule(e->buf, n);
    if (i < 0)
        return 0;
    qemu_err_fwd_message(&n->fwd[i], fwd_probe(&n->fwd[i]), msg, sizeof(msg));
    report("%s", msg);
    e->len = 0;
    e->holding = 0;
    return 1;
}
