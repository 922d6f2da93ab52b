/*
 * sys/sys_poll.c — readiness: pipes, eventfds, epoll, poll and ppoll,
 * select and pselect6.  poll and select share one wait: scan every file,
 * and sleep until a file_notify() or the deadline if none was ready.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

static long install_pair(struct file *ends[2], uint64_t ufds, bool cloexec)
{
    int fds[2] = {fd_install(ends[0], cloexec), -1};
    if (fds[0] >= 0)
        fds[1] = fd_install(ends[1], cloexec);
    if (fds[1] < 0) {
        if (fds[0] >= 0)
            fd_close(fds[0]);
        else
            file_put(ends[0]);
        file_put(ends[1]);
        return -EMFILE;
    }
    if (copy_to_user(ufds, fds, sizeof(fds))) {
        fd_close(fds[0]);
        fd_close(fds[1]);
        return -EFAULT;
    }
    return 0;
}

SYS(pipe2)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct file *ends[2];
    if (a1 & ~(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    if (!user_range_ok(a0, 8))
        return -EFAULT;
    long r = pipe_create(ends, a1);
    return r ? r : install_pair(ends, a0, a1 & O_CLOEXEC);
}

SYS(pipe)
{
    return sys_pipe2(a0, 0, a2, a3, a4, a5);
}

SYS(eventfd2)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct file *f;
    if (a1 & ~(O_CLOEXEC | O_NONBLOCK | 1))
        return -EINVAL;
    long r = eventfd_create((uint32_t)a0, (int)a1, &f);
    return r ? r : fd_install_new(f, a1 & O_CLOEXEC);
}

SYS(eventfd)
{
    return sys_eventfd2(a0, 0, a2, a3, a4, a5);
}

SYS(epoll_create1)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct file *f;
    if (a0 & ~O_CLOEXEC)
        return -EINVAL;
    long r = epoll_create(&f);
    return r ? r : fd_install_new(f, a0 & O_CLOEXEC);
}

SYS(epoll_create)
{
    if (a0 <= 0)
        return -EINVAL;
    return sys_epoll_create1(0, a1, a2, a3, a4, a5);
}

SYS(epoll_ctl)
{
    (void)a4, (void)a5;
    struct file *ep = fd_get((int)a0);
    if (!ep)
        return -EBADF;
    struct file *f = fd_get((int)a2);
    long r = f ? epoll_ctl(ep, (int)a1, (int)a2, f, a3) : -EBADF;
    if (f)
        file_put(f);
    file_put(ep);
    return r;
}

static uint64_t deadline_ms(long timeout)
{
    return timeout > 0 ? time_deadline(time_ms_to_ns((uint64_t)timeout)) : 0;
}

/* Installs the signal mask at umask (if any) for the call's duration, as
 * ppoll, pselect6 and epoll_pwait do; *saved is the one to restore. */
static long mask_from_user(uint64_t umask, uint64_t *saved)
{
    uint64_t mask;
    *saved = current()->sigmask;
    if (!umask)
        return 0;
    if (copy_from_user(&mask, umask, sizeof(mask)))
        return -EFAULT;
    current()->sigmask = mask & ~(SIGBIT(9) | SIGBIT(19));
    return 0;
}

/* A timeout as a user timespec (NULL: none) to a deadline; block is false
 * for a zero timeout. */
static long timeout_from_user(uint64_t uts, uint64_t *deadline, bool *block)
{
    *deadline = 0;
    *block = true;
    if (!uts)
        return 0;
    uint64_t ns;
    long r = time_ts_from_user(uts, &ns);
    if (r)
        return r;
    *block = ns != 0;
    *deadline = time_deadline(ns);
    return 0;
}

/* Scans until scan finds something ready (or fails), the deadline passes
 * (0: none) or a signal comes. */
static long wait_ready(long (*scan)(void *), void *arg, uint64_t deadline,
                       bool block)
{
    for (;;) {
        long ready = scan(arg);
        if (ready || !block)
            return ready;
        int r = sched_sleep(&file_poll_waiters, deadline);
        if (r == -ETIMEDOUT)
            block = false;
        else if (r == -EINTR)
            return -EINTR;
    }
}

SYS(epoll_pwait)
{
    (void)a5;
    uint64_t saved;
    if (mask_from_user(a4, &saved))
        return -EFAULT;
    struct file *ep = fd_get((int)a0);
    long r =
        ep ? epoll_wait(ep, a1, (int)a2, deadline_ms(a3), a3 != 0) : -EBADF;
    if (ep)
        file_put(ep);
    current()->sigmask = saved;
    return r;
}

SYS(epoll_wait)
{
    return sys_epoll_pwait(a0, a1, a2, a3, 0, a5);
}

#define POLLNVAL 0x20

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};

struct poll_args {
    struct linux_pollfd *p;
    long n;
};

/* One pass over the pollfds: how many have events.  An O_PATH fd is
 * POLLNVAL, as fdget() does not see it. */
static long poll_scan(void *arg)
{
    struct poll_args *a = arg;
    struct linux_pollfd *p = a->p;
    long ready = 0;
    for (long i = 0; i < a->n; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0)
            continue;
        struct file *f = fd_get(p[i].fd);
        if (!f || (f->flags & O_PATH)) {
            p[i].revents = POLLNVAL;
        } else {
            uint32_t want = (uint16_t)p[i].events | EPOLLERR | EPOLLHUP;
            p[i].revents = (int16_t)(file_poll(f) & want);
        }
        if (f)
            file_put(f);
        ready += p[i].revents != 0;
    }
    return ready;
}

static long do_poll(uint64_t ufds, long n, uint64_t deadline, bool block)
{
    struct linux_pollfd p[64];
    struct poll_args a = {p, n};
    if (n < 0 || n > (long)ARRAY_SIZE(p))
        return -EINVAL;
    if (copy_from_user(p, ufds, n * sizeof(p[0])))
        return -EFAULT;
    long ready = wait_ready(poll_scan, &a, deadline, block);
    if (ready >= 0 && copy_to_user(ufds, p, n * sizeof(p[0])))
        return -EFAULT;
    return ready;
}

SYS(poll)
{
    (void)a3, (void)a4, (void)a5;
    return do_poll(a0, a1, deadline_ms(a2), a2 != 0);
}

SYS(ppoll)
{
    (void)a4, (void)a5;
    uint64_t deadline, saved;
    bool block;
    long r = timeout_from_user(a2, &deadline, &block);
    if (r)
        return r;
    if (mask_from_user(a3, &saved))
        return -EFAULT;
    r = do_poll(a0, a1, deadline, block);
    current()->sigmask = saved;
    return r;
}

/* --- select: fd_set bitmaps of nfds bits, in longs (man 2 select) */

/* fs/select.c's sets; POLLNVAL (a descriptor select cannot poll, such as
 * O_PATH) counts as ready in each, so such a wait never sleeps for ever. */
#define POLLIN_SET                                                             \
    (EPOLLIN | EPOLLRDNORM | 0x80 | EPOLLHUP | EPOLLERR | POLLNVAL)
#define POLLOUT_SET (EPOLLOUT | EPOLLWRNORM | 0x200 | EPOLLERR | POLLNVAL)
#define POLLEX_SET (EPOLLPRI | POLLNVAL)

struct select_args {
    int n;
    uint64_t *want[3], *got[3]; /* read, write, except; NULL: no set */
};

static long select_scan(void *arg)
{
    static const uint32_t sets[3] = {POLLIN_SET, POLLOUT_SET, POLLEX_SET};
    struct select_args *a = arg;
    long ready = 0;
    for (int fd = 0; fd < a->n; fd++) {
        uint64_t bit = 1UL << (fd % 64);
        unsigned which = 0;
        for (int s = 0; s < 3; s++)
            if (a->want[s] && (a->want[s][fd / 64] & bit))
                which |= 1u << s;
        if (!which)
            continue;
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        uint32_t ev = (f->flags & O_PATH) ? POLLNVAL : file_poll(f);
        file_put(f);
        for (int s = 0; s < 3; s++) {
            if ((which & (1u << s)) && (ev & sets[s])) {
                a->got[s][fd / 64] |= bit;
                ready++;
            }
        }
    }
    return ready;
}

/* The remaining time, written back to a select timeout as Linux does. */
static void time_left(uint64_t uts, uint64_t deadline, bool timeval)
{
    uint64_t now = clock_mono_ns(), left = deadline > now ? deadline - now : 0;
    struct linux_timespec ts = {(int64_t)(left / 1000000000),
                                (int64_t)(left % 1000000000)};
    if (timeval)
        ts.tv_nsec /= 1000;
    copy_to_user(uts, &ts, sizeof(ts)); /* a failure is ignored, as Linux */
}

/* (nfds, readfds, writefds, exceptfds) with the deadline set. */
static long do_select(long nfds, uint64_t usets[3], uint64_t deadline,
                      bool block)
{
    if (nfds < 0)
        return -EINVAL;
    struct select_args a = {.n = (int)MIN(nfds, (long)FD_MAX)};
    size_t bytes = ALIGN_UP((size_t)a.n, 64UL) / 8;
    uint64_t *mem = kzalloc(6 * bytes + 8);
    if (!mem)
        return -ENOMEM;
    long r = 0;
    for (int s = 0; s < 3 && !r; s++) {
        if (!usets[s])
            continue;
        a.want[s] = mem + s * (bytes / 8);
        a.got[s] = mem + (3 + s) * (bytes / 8);
        r = copy_from_user(a.want[s], usets[s], bytes);
    }
    if (!r)
        r = wait_ready(select_scan, &a, deadline, block);
    for (int s = 0; s < 3 && r >= 0; s++)
        if (usets[s] && copy_to_user(usets[s], a.got[s], bytes))
            r = -EFAULT;
    kfree(mem);
    return r;
}

/* select(nfds, readfds, writefds, exceptfds, timeval) */
SYS(select)
{
    (void)a5;
    struct linux_timeval tv;
    uint64_t usets[3] = {a1, a2, a3}, deadline = 0;
    bool block = true;
    if (a4) {
        if (copy_from_user(&tv, a4, sizeof(tv)))
            return -EFAULT;
        /* As Linux: microseconds past a second are carried into the
         * seconds (a sum that wraps negative is EINVAL, like a negative
         * count), a negative remainder is EINVAL, huge values saturate. */
        struct linux_timespec ts = {
            (int64_t)((uint64_t)tv.tv_sec + (uint64_t)(tv.tv_usec / 1000000)),
            tv.tv_usec % 1000000 * 1000};
        uint64_t ns;
        long e = time_ts_to_ns(&ts, &ns);
        if (e)
            return e;
        block = ns != 0;
        deadline = time_deadline(ns);
    }
    long r = do_select((int)a0, usets, deadline, block);
    if (a4 && block)
        time_left(a4, deadline, true);
    return r;
}

/* pselect6(nfds, readfds, writefds, exceptfds, timespec, {sigset*, size}) */
SYS(pselect6)
{
    uint64_t usets[3] = {a1, a2, a3}, deadline, saved, sig[2] = {0, 0};
    bool block;
    long r = timeout_from_user(a4, &deadline, &block);
    if (r)
        return r;
    if (a5 && copy_from_user(sig, a5, sizeof(sig)))
        return -EFAULT;
    if (sig[0] && sig[1] != sizeof(uint64_t))
        return -EINVAL;
    if (mask_from_user(sig[0], &saved))
        return -EFAULT;
    r = do_select((int)a0, usets, deadline, block);
    current()->sigmask = saved;
    if (a4 && block)
        time_left(a4, deadline, false);
    return r;
}
