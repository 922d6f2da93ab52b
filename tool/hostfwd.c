/*
 * tool/hostfwd.c — widening the backlog of QEMU's -p listeners (see
 * hostfwd.h for why).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hostfwd.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

/* Does the listening IPv4 address SA belong to one of N's tcp rules? */
static int is_forwarded(const struct sockaddr_in *sa, const struct run_net *n)
{
    for (int i = 0; i < n->nfwd; i++) {
        const struct run_fwd *f = &n->fwd[i];
        struct in_addr ip;

        if (f->udp || ntohs(sa->sin_port) != f->host_port)
            continue;
        if (inet_pton(AF_INET, f->host_ip, &ip) == 1 &&
            ip.s_addr == sa->sin_addr.s_addr)
            return 1;
    }
    return 0;
}

/* FD is our copy of one of the process's sockets: 1 if it was a
 * forwarded listener and now has the wide backlog, else 0. */
static int widen_one(int fd, const struct run_net *n)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int listening = 0, type = 0;
    socklen_t ilen = sizeof(int);

    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen) != 0 ||
        !listening)
        return 0;
    ilen = sizeof(int);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ilen) != 0 ||
        type != SOCK_STREAM)
        return 0;
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0 ||
        sa.sin_family != AF_INET || !is_forwarded(&sa, n))
        return 0;
    return listen(fd, SOMAXCONN) == 0;
}

/* The fd number of /proc/PID/fd entry NAME if it is a socket, else -1. */
static int socket_entry(pid_t pid, const char *name)
{
    char path[300], target[64], *end;
    long num = strtol(name, &end, 10);
    ssize_t len;

    if (*name == '\0' || *end != '\0' || num < 0 || num > 1 << 30)
        return -1;
    snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, name);
    len = readlink(path, target, sizeof(target) - 1);
    if (len <= 0)
        return -1;
    target[len] = '\0';
    return strncmp(target, "socket:", 7) == 0 ? (int)num : -1;
}

int hostfwd_listeners(const struct run_net *n)
{
    int tcp = 0;

    for (int i = 0; n->mode == RUN_NET_USER && i < n->nfwd; i++)
        tcp += !n->fwd[i].udp;
    return tcp;
}

int hostfwd_widen(pid_t pid, const struct run_net *n)
{
    char path[64];
    struct dirent *e;
    DIR *dir;
    int pidfd, widened = 0, err = 0, tcp = hostfwd_listeners(n);

    if (tcp == 0)
        return 0;
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0)
        return -errno;
    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    dir = opendir(path);
    if (dir == NULL) {
        err = -errno;
        close(pidfd);
        return err;
    }
    while ((e = readdir(dir)) != NULL && widened < tcp) {
        int num = socket_entry(pid, e->d_name), fd;

        if (num < 0)
            continue;
        fd = (int)syscall(SYS_pidfd_getfd, pidfd, num, 0);
        if (fd < 0 && errno == EBADF)
            continue; /* closed since readdir saw it */
        if (fd < 0) {
            err = -errno;
            break;
        }
        widened += widen_one(fd, n);
        close(fd);
    }
    closedir(dir);
    close(pidfd);
    return widened > 0 || err == 0 ? widened : err;
}
