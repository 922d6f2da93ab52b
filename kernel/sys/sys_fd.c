/*
 * sys/sys_fd.c — system calls on file descriptors: read and write in all
 * their forms, open, close, dup, fcntl, ioctl, fstat, and the creation of
 * pipes, eventfds and epoll instances.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

#define PATH_MAX 4096
#define IOV_MAX 1024
#define AT_FDCWD -100
#define AT_EMPTY_PATH 0x1000
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define FIONBIO 0x5421
#define FIOCLEX 0x5451
#define FIONCLEX 0x5450

static long do_read(int fd, uint64_t buf, size_t n)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    long r = (f->flags & O_ACCMODE) == O_WRONLY ? -EBADF
             : user_range_ok(buf, n)            ? f->ops->read(f, buf, n)
                                                : -EFAULT;
    file_put(f);
    return r;
}

static long do_write(int fd, uint64_t buf, size_t n)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    long r = (f->flags & O_ACCMODE) == O_RDONLY ? -EBADF
             : user_range_ok(buf, n)            ? f->ops->write(f, buf, n)
                                                : -EFAULT;
    file_put(f);
    return r;
}

SYS(read)
{
    (void)a3, (void)a4, (void)a5;
    if (a2 < 0)
        return -EINVAL;
    return do_read((int)a0, a1, (size_t)a2);
}

SYS(write)
{
    (void)a3, (void)a4, (void)a5;
    if (a2 < 0)
        return -EINVAL;
    return do_write((int)a0, a1, (size_t)a2);
}

static long do_iov(int fd, uint64_t uiov, long cnt, bool write)
{
    if (cnt < 0 || cnt > IOV_MAX)
        return -EINVAL;
    long total = 0;
    for (long i = 0; i < cnt; i++) {
        struct linux_iovec iov;
        if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
            return -EFAULT;
        if ((int64_t)iov.len < 0)
            return -EINVAL;
        if (!iov.len)
            continue;
        long r = write ? do_write(fd, iov.base, iov.len)
                       : do_read(fd, iov.base, iov.len);
        if (r < 0)
            return total ? total : r;
        total += r;
        if ((uint64_t)r < iov.len)
            break;
    }
    if (cnt == 0 || total == 0) {
        /* Still report a bad fd or wrong direction for an empty vector. */
        struct file *f = fd_get(fd);
        if (!f)
            return -EBADF;
        file_put(f);
    }
    return total;
}

SYS(readv)
{
    (void)a3, (void)a4, (void)a5;
    return do_iov((int)a0, a1, a2, false);
}

SYS(writev)
{
    (void)a3, (void)a4, (void)a5;
    return do_iov((int)a0, a1, a2, true);
}

/* Nothing seekable exists yet: every positioned I/O is ESPIPE. */
static long no_seek(int fd)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    file_put(f);
    return -ESPIPE;
}

SYS(pread64)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return no_seek((int)a0);
}

SYS(pwrite64)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return no_seek((int)a0);
}

SYS(lseek)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return no_seek((int)a0);
}

SYS(close)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return fd_close((int)a0);
}

static long dup_to(int oldfd, int newfd, bool cloexec)
{
    struct file *f = fd_get(oldfd);
    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= FD_MAX) {
        file_put(f);
        return -EBADF;
    }
    return fd_install_at(newfd, f, cloexec);
}

static long dup_from(int oldfd, int min, bool cloexec)
{
    struct file *f = fd_get(oldfd);
    if (!f)
        return -EBADF;
    if (min < 0 || min >= FD_MAX) {
        file_put(f);
        return -EINVAL;
    }
    for (int fd = min; fd < FD_MAX; fd++) {
        struct file *g = fd_get(fd);
        if (!g)
            return fd_install_at(fd, f, cloexec);
        file_put(g);
    }
    file_put(f);
    return -EMFILE;
}

SYS(dup)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return dup_from((int)a0, 0, false);
}

SYS(dup2)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 == a1) {
        struct file *f = fd_get((int)a0);
        if (!f)
            return -EBADF;
        file_put(f);
        return a1;
    }
    return dup_to((int)a0, (int)a1, false);
}

SYS(dup3)
{
    (void)a3, (void)a4, (void)a5;
    if (a0 == a1 || (a2 & ~O_CLOEXEC))
        return -EINVAL;
    return dup_to((int)a0, (int)a1, a2 & O_CLOEXEC);
}

SYS(fcntl)
{
    (void)a3, (void)a4, (void)a5;
    int fd = (int)a0;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    long r = 0;
    switch (a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        r = dup_from(fd, (int)a2, a1 == F_DUPFD_CLOEXEC);
        break;
    case F_GETFD:
        r = fd_cloexec(fd) ? FD_CLOEXEC : 0;
        break;
    case F_SETFD:
        fd_set_cloexec(fd, a2 & FD_CLOEXEC);
        break;
    case F_GETFL:
        r = f->flags;
        break;
    case F_SETFL:
        f->flags = (f->flags & ~(O_NONBLOCK | O_APPEND)) |
                   (a2 & (O_NONBLOCK | O_APPEND));
        break;
    default:
        r = -EINVAL;
    }
    file_put(f);
    return r;
}

SYS(ioctl)
{
    (void)a3, (void)a4, (void)a5;
    int fd = (int)a0;
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    long r = 0;
    int on;
    switch ((unsigned)a1) {
    case FIONBIO:
        r = copy_from_user(&on, a2, sizeof(on));
        if (!r)
            f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
        break;
    case FIOCLEX:
    case FIONCLEX:
        fd_set_cloexec(fd, a1 == FIOCLEX);
        break;
    default:
        r = f->ops->ioctl(f, (unsigned)a1, a2);
    }
    file_put(f);
    return r;
}

static long stat_file(struct file *f, uint64_t ust)
{
    struct linux_stat st;
    memset(&st, 0, sizeof(st));
    st.st_nlink = 1;
    st.st_ino = (uint64_t)f >> 4;
    f->ops->stat(f, &st);
    return copy_to_user(ust, &st, sizeof(st));
}

SYS(fstat)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = stat_file(f, a1);
    file_put(f);
    return r;
}

static long open_path(int dirfd, uint64_t upath, long flags, struct file **out)
{
    char path[PATH_MAX];
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    if (path[0] != '/') {
        if (dirfd != AT_FDCWD) {
            struct file *d = fd_get(dirfd);
            if (!d)
                return -EBADF;
            file_put(d);
            return -ENOTDIR;
        }
        return -ENOENT;
    }
    long r = dev_open(path, flags, out);
    if (r == -ENOENT && (flags & O_CREAT))
        return -EROFS;
    return r;
}

SYS(newfstatat)
{
    (void)a4, (void)a5;
    struct file *f;
    if ((a3 & AT_EMPTY_PATH)) {
        char c;
        long n = strncpy_from_user(&c, a1, 1);
        if (n == -EFAULT)
            return n;
        if (n == -ENAMETOOLONG || n == 0) { /* "" */
            f = fd_get((int)a0);
            if (!f)
                return -EBADF;
            long r = stat_file(f, a2);
            file_put(f);
            return r;
        }
    }
    long r = open_path((int)a0, a1, O_RDONLY, &f);
    if (r)
        return r;
    r = stat_file(f, a2);
    file_put(f);
    return r;
}

static long do_openat(int dirfd, uint64_t upath, long flags)
{
    struct file *f;
    long r = open_path(dirfd, upath, flags, &f);
    if (r)
        return r;
    r = fd_install(f, flags & O_CLOEXEC);
    if (r < 0)
        file_put(f);
    return r;
}

SYS(open)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return do_openat(AT_FDCWD, a0, a1);
}

SYS(openat)
{
    (void)a3, (void)a4, (void)a5;
    return do_openat((int)a0, a1, a2);
}

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
    return timeout > 0 ? clock_mono_ns() + (uint64_t)timeout * 1000000 : 0;
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
    struct linux_timespec ts;
    uint64_t deadline = 0;
    bool block = true;
    if (a2) {
        if (copy_from_user(&ts, a2, sizeof(ts)))
            return -EFAULT;
        if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
            return -EINVAL;
        uint64_t ns = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        block = ns != 0;
        deadline = clock_mono_ns() + ns;
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

SYS(getcwd)
{
    const char *cwd = fs_cwd();
    size_t n = strlen(cwd) + 1;
    if ((size_t)a1 < n)
        return -ERANGE;
    return copy_to_user(a0, cwd, n) ? -EFAULT : (long)n;
}
