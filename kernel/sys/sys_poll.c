/*
 * sys/sys_poll.c — readiness: pipes, eventfds, epoll, poll and ppoll.
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
    if (r)
        return r;
    r = fd_install(f, a1 & O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
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
    if (r)
        return r;
    r = fd_install(f, a0 & O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
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

SYS(epoll_pwait)
{
    (void)a5;
    uint64_t mask, saved = current()->sigmask;
    if (a4) {
        if (copy_from_user(&mask, a4, sizeof(mask)))
            return -EFAULT;
        current()->sigmask = mask & ~(SIGBIT(9) | SIGBIT(19));
    }
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

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* One pass over the pollfds: how many have events. */
static long poll_scan(struct linux_pollfd *p, long n)
{
    long ready = 0;
    for (long i = 0; i < n; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0)
            continue;
        struct file *f = fd_get(p[i].fd);
        if (!f) {
            p[i].revents = 0x20; /* POLLNVAL */
        } else {
            uint32_t want = (uint16_t)p[i].events | EPOLLERR | EPOLLHUP;
            p[i].revents = (int16_t)(f->ops->poll(f) & want);
            file_put(f);
        }
        ready += p[i].revents != 0;
    }
    return ready;
}

static long do_poll(uint64_t ufds, long n, uint64_t deadline, bool block)
{
    struct linux_pollfd p[64];
    if (n < 0 || n > (long)ARRAY_SIZE(p))
        return -EINVAL;
    if (copy_from_user(p, ufds, n * sizeof(p[0])))
        return -EFAULT;
    for (;;) {
        long ready = poll_scan(p, n);
        if (ready || !block) {
            if (copy_to_user(ufds, p, n * sizeof(p[0])))
                return -EFAULT;
            return ready;
        }
        int r = sched_sleep(&file_poll_waiters, deadline);
        if (r == -ETIMEDOUT)
            block = false;
        else if (r == -EINTR)
            return -EINTR;
    }
}

SYS(poll)
{
    (void)a3, (void)a4, (void)a5;
    return do_poll(a0, a1, deadline_ms(a2), a2 != 0);
}

SYS(ppoll)
{
    (void)a4, (void)a5;
    uint64_t deadline = 0, ns;
    bool block = true;
    if (a2) {
        long e = time_ts_from_user(a2, &ns);
        if (e)
            return e;
        block = ns != 0;
        deadline = time_deadline(ns);
    }
    uint64_t mask, saved = current()->sigmask;
    if (a3) {
        if (copy_from_user(&mask, a3, sizeof(mask)))
            return -EFAULT;
        current()->sigmask = mask & ~(SIGBIT(9) | SIGBIT(19));
    }
    long r = do_poll(a0, a1, deadline, block);
    current()->sigmask = saved;
    return r;
}
