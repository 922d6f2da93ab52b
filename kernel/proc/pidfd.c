/*
 * proc/pidfd.c — pidfds: files that name one process (pidfd_open(2),
 * clone's CLONE_PIDFD).  waitid(P_PIDFD) and pidfd_send_signal act on
 * the process through one; it polls readable once the process ended, as
 * on Linux.  Pids are never reused here, so a pidfd keeps the pid and the
 * process until it is reaped, after which it names nobody (ESRCH).
 */
#include "proc/proc.h"
#include "fs/fs.h"
#include "mm/mm.h"

struct pidfd {
    struct list link;  /* in its process's pidfds */
    struct proc *proc; /* NULL once reaped */
    int pid;
    struct file *file;
};

static long pidfd_rw(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    (void)f, (void)ubuf, (void)n, (void)pos;
    return -EINVAL;
}

/* Readable once the process ended (Linux's pidfd_poll: EPOLLIN, and
 * EPOLLHUP too once it is reaped). */
static uint32_t pidfd_poll(struct file *f)
{
    struct pidfd *d = f->priv;
    if (!d->proc)
        return EPOLLIN | EPOLLRDNORM | EPOLLHUP;
    return d->proc->zombie ? EPOLLIN | EPOLLRDNORM : 0;
}

static long pidfd_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)cmd, (void)arg;
    return -ENOTTY;
}

static void pidfd_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600;
    st->st_blksize = PAGE_SIZE;
}

static void pidfd_release(struct file *f)
{
    struct pidfd *d = f->priv;
    if (d->proc)
        list_del(&d->link);
    kfree(d);
}

static const struct file_ops pidfd_ops = {
    .read = pidfd_rw,
    .write = pidfd_rw,
    .poll = pidfd_poll,
    .ioctl = pidfd_ioctl,
    .stat = pidfd_stat,
    .release = pidfd_release,
};

int pidfd_install(struct proc *p, unsigned flags)
{
    struct pidfd *d = kzalloc(sizeof(*d));
    if (!d)
        return -ENOMEM;
    struct file *f = file_alloc(&pidfd_ops, d, O_RDWR | (flags & O_NONBLOCK));
    if (!f) {
        kfree(d);
        return -ENOMEM;
    }
    f->anon = "anon_inode:[pidfd]";
    d->proc = p;
    d->pid = p->pid;
    d->file = f;
    list_add_tail(&p->pidfds, &d->link);
    return fd_install_new(f, true);
}

int pidfd_target(struct file *f, struct proc **p, int *pid)
{
    if (f->ops != &pidfd_ops)
        return -EBADF;
    struct pidfd *d = f->priv;
    *p = d->proc;
    *pid = d->pid;
    return 0;
}

void pidfd_proc_ended(struct proc *p)
{
    list_for_each(l, &p->pidfds) file_notify(
        container_of(l, struct pidfd, link)->file, EPOLLIN | EPOLLRDNORM);
}

void pidfd_proc_reaped(struct proc *p)
{
    while (!list_empty(&p->pidfds)) {
        struct pidfd *d = container_of(p->pidfds.next, struct pidfd, link);
        list_del(&d->link);
        d->proc = NULL;
        file_notify(d->file, EPOLLIN | EPOLLHUP);
    }
}
