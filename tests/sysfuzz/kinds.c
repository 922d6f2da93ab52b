/*
 * tests/sysfuzz/kinds.c — one file descriptor of every kind the kernel
 * has, made fresh for each call of the matrix so that one call's effect
 * (close, shutdown, listen) never changes another's answer.  Every kind
 * that can be is O_NONBLOCK, so no call of the matrix can wait.
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

static int file_open(const char *path, int flags, int aux[3])
{
    (void)aux;
    return open(path, flags | O_NONBLOCK | O_CLOEXEC);
}

static int pipe_end(int end, int aux[3])
{
    int p[2];
    if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
        return -1;
    aux[0] = p[!end];
    return p[end];
}

/* A FIFO opened both ways: end 0 the reader, 1 the writer. */
static int fifo_end(int end, int aux[3])
{
    int r = open("fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (r < 0)
        return -1;
    int w = open("fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (w < 0) {
        close(r);
        return -1;
    }
    aux[0] = end ? r : w;
    return end ? w : r;
}

static int sock(int family, int type, int proto)
{
    return socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}

static int tcp_listener(int aux[3])
{
    (void)aux;
    int s = sock(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (s >= 0 && (bind(s, (void *)&a, sizeof(a)) || listen(s, 4))) {
        close(s);
        return -1;
    }
    return s;
}

static int unix_pair(int type, int aux[3])
{
    int p[2];
    if (socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p))
        return -1;
    aux[0] = p[1];
    return p[0];
}

/* An fd number that was open a moment ago. */
static int closed_fd(int aux[3])
{
    (void)aux;
    int fd = open("/dev/null", O_RDONLY);
    close(fd);
    return fd;
}

enum {
    K_FILE,
    K_FILE_RO,
    K_DIR,
    K_OPATH,
    K_OPATH_LINK,
    K_PIPE_R,
    K_PIPE_W,
    K_FIFO_R,
    K_FIFO_W,
    K_EVENTFD,
    K_EPOLL,
    K_TCP4,
    K_TCP6,
    K_TCP4_LISTEN,
    K_UDP4,
    K_UDP6,
    K_RAW4,
    K_RAW6,
    K_UNIX_STREAM,
    K_UNIX_DGRAM,
    K_UNIX_SEQPACKET,
    K_UNIX_PAIR,
    K_UNIX_DGRAM_PAIR,
    K_NETLINK,
    K_NULL,
    K_ZERO,
    K_URANDOM,
    K_CONSOLE,
    K_PROC,
    K_CLOSED,
    K_MINUS1,
    K_HUGE,
    K_COUNT
};

static const char *const names[K_COUNT] = {
    "file",
    "file-ro",
    "dir",
    "opath",
    "opath-link",
    "pipe-r",
    "pipe-w",
    "fifo-r",
    "fifo-w",
    "eventfd",
    "epoll",
    "tcp4",
    "tcp6",
    "tcp4-listen",
    "udp4",
    "udp6",
    "raw4",
    "raw6",
    "unix-stream",
    "unix-dgram",
    "unix-seqpacket",
    "unix-pair",
    "unix-dgram-pair",
    "netlink",
    "null",
    "zero",
    "urandom",
    "console",
    "proc",
    "closed",
    "minus1",
    "huge",
};

int sf_kind_count(void)
{
    return K_COUNT;
}

const char *sf_kind_name(int k)
{
    return names[k];
}

static int make(int k, int aux[3])
{
    switch (k) {
    case K_FILE:
        return file_open("file", O_RDWR, aux);
    case K_FILE_RO:
        return file_open("file", O_RDONLY, aux);
    case K_DIR:
        return file_open("sub", O_RDONLY | O_DIRECTORY, aux);
    case K_OPATH:
        return file_open("file", O_PATH, aux);
    case K_OPATH_LINK:
        return file_open("link", O_PATH | O_NOFOLLOW, aux);
    case K_PIPE_R:
        return pipe_end(0, aux);
    case K_PIPE_W:
        return pipe_end(1, aux);
    case K_FIFO_R:
        return fifo_end(0, aux);
    case K_FIFO_W:
        return fifo_end(1, aux);
    case K_EVENTFD:
        return eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    case K_EPOLL:
        return epoll_create1(EPOLL_CLOEXEC);
    case K_TCP4:
        return sock(AF_INET, SOCK_STREAM, 0);
    case K_TCP6:
        return sock(AF_INET6, SOCK_STREAM, 0);
    case K_TCP4_LISTEN:
        return tcp_listener(aux);
    case K_UDP4:
        return sock(AF_INET, SOCK_DGRAM, 0);
    case K_UDP6:
        return sock(AF_INET6, SOCK_DGRAM, 0);
    case K_RAW4:
        return sock(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    case K_RAW6:
        return sock(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    case K_UNIX_STREAM:
        return sock(AF_UNIX, SOCK_STREAM, 0);
    case K_UNIX_DGRAM:
        return sock(AF_UNIX, SOCK_DGRAM, 0);
    case K_UNIX_SEQPACKET:
        return sock(AF_UNIX, SOCK_SEQPACKET, 0);
    case K_UNIX_PAIR:
        return unix_pair(SOCK_STREAM, aux);
    case K_UNIX_DGRAM_PAIR:
        return unix_pair(SOCK_DGRAM, aux);
    case K_NETLINK:
        return sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    case K_NULL:
        return file_open("/dev/null", O_RDWR, aux);
    case K_ZERO:
        return file_open("/dev/zero", O_RDWR, aux);
    case K_URANDOM:
        return file_open("/dev/urandom", O_RDWR, aux);
    case K_CONSOLE:
        return file_open("/dev/console", O_RDWR | O_NOCTTY, aux);
    case K_PROC:
        return file_open("/proc/self/status", O_RDONLY, aux);
    case K_CLOSED:
        return closed_fd(aux);
    case K_MINUS1:
        return -1;
    case K_HUGE:
        return 1 << 20;
    }
    return -1;
}

int sf_kind_open(int k, struct sf_fd *out)
{
    out->aux[0] = out->aux[1] = out->aux[2] = -1;
    out->fd = make(k, out->aux);
    out->owned = k < K_CLOSED;
    if (out->fd >= 0 || k == K_MINUS1)
        return 0;
    return -1;
}

void sf_kind_close(struct sf_fd *f)
{
    if (f->owned)
        close(f->fd);
    for (int i = 0; i < 3; i++)
        if (f->aux[i] >= 0)
            close(f->aux[i]);
}
