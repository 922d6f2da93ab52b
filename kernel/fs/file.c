/*
 * fs/file.c — file objects (reference counted) and the process's fd table
 * (one table: every thread shares it, as CLONE_FILES asks).
 */
#include "fs/fs.h"
#include "mm/mm.h"

static struct {
    struct file *files[FD_MAX];
    uint8_t cloexec[FD_MAX];
    int count;
    int limit; /* RLIMIT_NOFILE's soft limit */
} fdt = {.limit = 1024};

void fd_set_limit(int n)
{
    fdt.limit = n > FD_MAX ? FD_MAX : n;
}

struct file *file_alloc(const struct file_ops *ops, void *priv, unsigned flags)
{
    struct file *f = kzalloc(sizeof(*f));
    if (!f)
        return NULL;
    f->ops = ops;
    f->priv = priv;
    f->flags = flags;
    f->refs = 1;
    waitq_init(&f->wq);
    list_init(&f->watchers);
    return f;
}

void file_get(struct file *f)
{
    f->refs++;
}

void file_put(struct file *f)
{
    assert(f->refs > 0);
    if (--f->refs)
        return;
    epoll_forget(f);
    inotify_closed(f);
    if (f->ops->release)
        f->ops->release(f);
    if (f->node)
        node_put(f->node);
    kfree(f->path);
    kfree(f);
}

int file_wait(struct file *f)
{
    int r = sched_sleep(&f->wq, 0);
    return r == -EINTR ? -ERESTARTSYS : 0;
}

int fd_install_at(int fd, struct file *f, bool cloexec)
{
    if (fd < 0 || fd >= FD_MAX)
        return -EBADF;
    if (fdt.files[fd])
        fd_close(fd);
    fdt.files[fd] = f;
    fdt.cloexec[fd] = cloexec;
    fdt.count++;
    procfs_fd_opened(fd, f);
    return fd;
}

int fd_install(struct file *f, bool cloexec)
{
    for (int fd = 0; fd < fdt.limit; fd++)
        if (!fdt.files[fd])
            return fd_install_at(fd, f, cloexec);
    return -EMFILE;
}

int fd_install_new(struct file *f, bool cloexec)
{
    int fd = fd_install(f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

struct file *fd_get(int fd)
{
    if (fd < 0 || fd >= FD_MAX || !fdt.files[fd])
        return NULL;
    file_get(fdt.files[fd]);
    return fdt.files[fd];
}

int fd_close(int fd)
{
    if (fd < 0 || fd >= FD_MAX || !fdt.files[fd])
        return -EBADF;
    struct file *f = fdt.files[fd];
    fdt.files[fd] = NULL;
    fdt.count--;
    procfs_fd_closed(fd);
    file_put(f);
    return 0;
}

void fd_close_all(void)
{
    for (int fd = 0; fd < FD_MAX && fdt.count > 0; fd++)
        if (fdt.files[fd])
            fd_close(fd);
}

bool fd_cloexec(int fd)
{
    return fdt.cloexec[fd];
}

void fd_set_cloexec(int fd, bool on)
{
    fdt.cloexec[fd] = on;
}

int fd_count(void)
{
    return fdt.count;
}

uint32_t file_poll(struct file *f)
{
    if (f->ops->poll)
        return f->ops->poll(f);
    return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
}

struct waitq file_poll_waiters = {LIST_INIT(file_poll_waiters.waiters)};

void file_notify(struct file *f, uint32_t events)
{
    waitq_wake(&f->wq, -1);
    waitq_wake(&file_poll_waiters, -1);
    epoll_notify(f, events);
}
