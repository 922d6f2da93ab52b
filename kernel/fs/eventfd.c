/*
 * fs/eventfd.c — eventfds: a 64-bit counter that write adds to and read
 * takes (all of it, or one in EFD_SEMAPHORE mode), blocking as Linux does.
 * Go 1.23's netpoller wakes epoll_pwait through one.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define EFD_SEMAPHORE 1
#define EFD_MAX 0xfffffffffffffffeULL

struct eventfd {
    uint64_t count;
    bool semaphore;
};

static long efd_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct eventfd *e = f->priv;
    if (n < 8)
        return -EINVAL;
    while (e->count == 0) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int r = file_wait(f);
        if (r)
            return r;
    }
    uint64_t v = e->semaphore ? 1 : e->count;
    if (copy_to_user(ubuf, &v, 8))
        return -EFAULT;
    e->count -= v;
    file_notify(f, EPOLLOUT);
    return 8;
}

static long efd_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct eventfd *e = f->priv;
    uint64_t v;
    if (n < 8)
        return -EINVAL;
    if (copy_from_user(&v, ubuf, 8))
        return -EFAULT;
    if (v == UINT64_MAX)
        return -EINVAL;
    while (EFD_MAX - e->count < v) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int r = file_wait(f);
        if (r)
            return r;
    }
    e->count += v;
    if (v)
        file_notify(f, EPOLLIN);
    return 8;
}

static uint32_t efd_poll(struct file *f)
{
    struct eventfd *e = f->priv;
    uint32_t ev = 0;
    if (e->count)
        ev |= EPOLLIN | EPOLLRDNORM;
    if (e->count < EFD_MAX)
        ev |= EPOLLOUT | EPOLLWRNORM;
    return ev;
}

static long efd_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)cmd, (void)arg;
    return -ENOTTY;
}

static void efd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600;
    st->st_blksize = PAGE_SIZE;
}

static void efd_release(struct file *f)
{
    kfree(f->priv);
}

static const struct file_ops efd_ops = {
    .read = efd_read,
    .write = efd_write,
    .poll = efd_poll,
    .ioctl = efd_ioctl,
    .stat = efd_stat,
    .release = efd_release,
};

long eventfd_create(uint32_t initval, int flags, struct file **out)
{
    struct eventfd *e = kzalloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    e->count = initval;
    e->semaphore = flags & EFD_SEMAPHORE;
    *out = file_alloc(&efd_ops, e, O_RDWR | (flags & O_NONBLOCK));
    if (!*out) {
        kfree(e);
        return -ENOMEM;
    }
    (*out)->anon = "anon_inode:[eventfd]";
    return 0;
}
