/*
 * fs/pipe.c — pipes (a 64 KiB ring shared by a read end and a write end)
 * and eventfds (a 64-bit counter), with Linux's blocking, O_NONBLOCK,
 * EPIPE/SIGPIPE and end-of-file rules.  Go's netpoller uses one or the
 * other to wake a thread blocked in epoll_pwait.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define PIPE_ORDER 4
#define PIPE_SIZE (PAGE_SIZE << PIPE_ORDER)
#define SIGPIPE 13

struct pipe {
    uint8_t *buf;
    size_t head, len; /* read position and bytes held */
    struct file *end[2];
    int open_ends; /* bit 0 reader, bit 1 writer */
};

static struct pipe *pipe_of(struct file *f)
{
    return f->priv;
}

static long pipe_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct pipe *p = pipe_of(f);
    while (p->len == 0) {
        if (!(p->open_ends & 2))
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int r = file_wait(f);
        if (r)
            return r;
    }
    size_t done = 0;
    while (done < n && p->len) {
        size_t c = MIN(MIN(n - done, p->len), PIPE_SIZE - p->head);
        if (copy_to_user(ubuf + done, p->buf + p->head, c))
            return done ? (long)done : -EFAULT;
        p->head = (p->head + c) % PIPE_SIZE;
        p->len -= c;
        done += c;
    }
    if (p->end[1])
        file_notify(p->end[1], EPOLLOUT);
    return done;
}

static long pipe_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct pipe *p = pipe_of(f);
    size_t done = 0;
    while (done < n) {
        if (!(p->open_ends & 1)) {
            signal_send_thread(current(), SIGPIPE, 0);
            return done ? (long)done : -EPIPE;
        }
        if (p->len == PIPE_SIZE) {
            if (f->flags & O_NONBLOCK)
                return done ? (long)done : -EAGAIN;
            int r = file_wait(f);
            if (r)
                return done ? (long)done : r;
            continue;
        }
        size_t tail = (p->head + p->len) % PIPE_SIZE;
        size_t c = MIN(MIN(n - done, PIPE_SIZE - p->len), PIPE_SIZE - tail);
        if (copy_from_user(p->buf + tail, ubuf + done, c))
            return done ? (long)done : -EFAULT;
        p->len += c;
        done += c;
        if (p->end[0])
            file_notify(p->end[0], EPOLLIN);
    }
    return done;
}

static uint32_t pipe_poll(struct file *f)
{
    struct pipe *p = pipe_of(f);
    uint32_t ev = 0;
    if (f == p->end[0]) {
        if (p->len)
            ev |= EPOLLIN | EPOLLRDNORM;
        if (!(p->open_ends & 2))
            ev |= EPOLLHUP;
    } else {
        if (p->len < PIPE_SIZE)
            ev |= EPOLLOUT | EPOLLWRNORM;
        if (!(p->open_ends & 1))
            ev |= EPOLLERR;
    }
    return ev;
}

static void pipe_release(struct file *f)
{
    struct pipe *p = pipe_of(f);
    int which = f == p->end[0] ? 0 : 1;
    p->end[which] = NULL;
    p->open_ends &= ~(1 << which);
    if (p->end[!which]) {
        file_notify(p->end[!which], which ? EPOLLHUP : EPOLLERR);
        return;
    }
    pmem_free(virt_to_phys(p->buf), PIPE_ORDER);
    kfree(p);
}

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    if (cmd != 0x541b) /* FIONREAD */
        return -ENOTTY;
    int n = (int)pipe_of(f)->len;
    return copy_to_user(arg, &n, sizeof(n));
}

static void pipe_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = S_IFIFO | 0600;
    st->st_blksize = PAGE_SIZE;
}

static const struct file_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
};

long pipe_create(struct file *ends[2], unsigned flags)
{
    struct pipe *p = kzalloc(sizeof(*p));
    uint64_t pa = p ? pmem_alloc(PIPE_ORDER) : 0;
    if (!pa) {
        kfree(p);
        return -ENFILE;
    }
    p->buf = phys_to_virt(pa);
    ends[0] = file_alloc(&pipe_ops, p, O_RDONLY | (flags & O_NONBLOCK));
    ends[1] = file_alloc(&pipe_ops, p, O_WRONLY | (flags & O_NONBLOCK));
    if (!ends[0] || !ends[1]) {
        kfree(ends[0]);
        kfree(ends[1]);
        pmem_free(pa, PIPE_ORDER);
        kfree(p);
        return -ENFILE;
    }
    p->end[0] = ends[0];
    p->end[1] = ends[1];
    ends[0]->anon = ends[1]->anon = "pipe";
    p->open_ends = 3;
    return 0;
}

/* --- eventfd */

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
