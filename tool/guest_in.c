/*
 * tool/guest_in.c — the guest's serial input (see guest_in.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <gorump/console.h>

#include "guest_in.h"

void guest_in_init(struct guest_in *in, int fd, int src)
{
    in->fd = fd;
    in->src = src;
    in->src_eof = 0;
    in->n = 0;
    in->sent = 0;
}

int guest_in_signal(struct guest_in *in, int sig)
{
    if (in->fd < 0 || in->n + 3 > sizeof(in->buf))
        return -1;
    in->buf[in->n++] = GORUMP_CON_ESC;
    in->buf[in->n++] = GORUMP_CON_SIGNAL;
    in->buf[in->n++] = (uint8_t)sig;
    return 0;
}

/* How many stdin bytes the kernel has room for now. */
static size_t window(const struct guest_in *in, uint64_t credits)
{
    uint64_t acked = credits * GORUMP_STDIN_CREDIT;
    uint64_t out = in->sent > acked ? in->sent - acked : 0;

    return out >= GORUMP_STDIN_WINDOW ? 0 : GORUMP_STDIN_WINDOW - out;
}

int guest_in_want_read(const struct guest_in *in, int ready, uint64_t credits)
{
    return ready && in->fd >= 0 && in->src >= 0 && !in->src_eof && in->n == 0 &&
           window(in, credits) > 0;
}

int guest_in_want_write(const struct guest_in *in, int ready)
{
    return ready && in->fd >= 0 && in->n > 0;
}

void guest_in_read(struct guest_in *in, uint64_t credits)
{
    uint8_t chunk[GUEST_IN_CHUNK];
    size_t room = window(in, credits);
    ssize_t got;

    if (room == 0)
        return;
    got = read(in->src, chunk, room < sizeof(chunk) ? room : sizeof(chunk));

    if (got < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (got <= 0) { /* the end, or an error we treat as one */
        in->buf[in->n++] = GORUMP_CON_ESC;
        in->buf[in->n++] = GORUMP_CON_STDIN_EOF;
        in->src_eof = 1;
        return;
    }
    in->sent += (uint64_t)got;
    for (ssize_t i = 0; i < got; i++) {
        if (chunk[i] == GORUMP_CON_ESC)
            in->buf[in->n++] = GORUMP_CON_ESC;
        in->buf[in->n++] = chunk[i];
    }
}

int guest_in_flush(struct guest_in *in, int ready)
{
    ssize_t put;

    if (!ready || in->fd < 0 || in->n == 0)
        return 0;
    put = write(in->fd, in->buf, in->n);
    if (put < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    memmove(in->buf, in->buf + put, in->n - (size_t)put);
    in->n -= (size_t)put;
    return 0;
}
