/*
 * fs/epoll.c — epoll instances.  Each watch (an item) links the epoll to a
 * file.  As in Linux (fs/eventpoll.c), an epoll keeps a ready list: an
 * item goes on it when it is added or modified and whenever its file
 * notifies (file_notify), and epoll_wait asks only the files of the items
 * on it for their readiness, so a wait costs what the ready items cost,
 * not what every watched file does (bench/epoll).  An item whose file is
 * not ready leaves the list; an edge-triggered or one-shot item leaves it
 * when it reports; a level-triggered one that reports stays, at the back,
 * to be asked again next time (so a small maxevents cannot starve the
 * others).  This relies on every file kind notifying when it may have
 * become ready, which Go's netpoller (edge-triggered) relies on too.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define ALWAYS (EPOLLERR | EPOLLHUP)

struct epoll {
    struct list items;
    struct list ready; /* struct epitem, by rlink */
    struct waitq wq;
    struct file *self;
};

struct epitem {
    struct list elink; /* in epoll->items */
    struct list flink; /* in file->watchers */
    struct list rlink; /* in epoll->ready, when on_ready */
    struct epoll *ep;
    struct file *file; /* not referenced: the item dies with the file */
    int fd;
    uint32_t events;
    uint64_t data;
    bool on_ready;
    bool disabled; /* EPOLLONESHOT fired */
};

static const struct file_ops epoll_ops;

static void ready_add(struct epitem *it)
{
    if (it->on_ready)
        return;
    list_add_tail(&it->ep->ready, &it->rlink);
    it->on_ready = true;
}

static void ready_del(struct epitem *it)
{
    if (!it->on_ready)
        return;
    list_del(&it->rlink);
    it->on_ready = false;
}

static void item_free(struct epitem *it)
{
    ready_del(it);
    list_del(&it->elink);
    list_del(&it->flink);
    kfree(it);
}

/* What the item would report now: its file's events that it asks for,
 * 0 when disabled. */
static uint32_t item_events(struct epitem *it)
{
    return it->disabled ? 0 : it->file->ops->poll(it->file) & it->events;
}

static void ep_release(struct file *f)
{
    struct epoll *ep = f->priv;
    list_for_each(l, &ep->items)
        item_free(container_of(l, struct epitem, elink));
    kfree(ep);
}

/* The epoll itself is readable when an item on its ready list is ready;
 * the others leave the list (as they would at the next wait). */
static uint32_t ep_poll(struct file *f)
{
    struct epoll *ep = f->priv;
    list_for_each(l, &ep->ready)
    {
        struct epitem *it = container_of(l, struct epitem, rlink);
        if (item_events(it))
            return EPOLLIN | EPOLLRDNORM;
        ready_del(it);
    }
    return 0;
}

static long ep_rw(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    (void)f, (void)ubuf, (void)n;
    return -EINVAL;
}

static long ep_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)cmd, (void)arg;
    return -ENOTTY;
}

static void ep_stat(struct file *f, struct linux_stat *st)
{
    (void)f;
    st->st_mode = 0600;
}

static const struct file_ops epoll_ops = {
    .read = ep_rw,
    .write = ep_rw,
    .poll = ep_poll,
    .ioctl = ep_ioctl,
    .stat = ep_stat,
    .release = ep_release,
};

long epoll_create(struct file **out)
{
    struct epoll *ep = kzalloc(sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    list_init(&ep->items);
    list_init(&ep->ready);
    waitq_init(&ep->wq);
    *out = file_alloc(&epoll_ops, ep, O_RDWR);
    if (!*out) {
        kfree(ep);
        return -ENOMEM;
    }
    ep->self = *out;
    (*out)->anon = "anon_inode:[eventpoll]";
    return 0;
}

static struct epitem *find(struct epoll *ep, struct file *f, int fd)
{
    list_for_each(l, &ep->items)
    {
        struct epitem *it = container_of(l, struct epitem, elink);
        if (it->file == f && it->fd == fd)
            return it;
    }
    return NULL;
}

long epoll_ctl(struct file *epf, int op, int fd, struct file *f,
               uint64_t uevent)
{
    if (epf->ops != &epoll_ops)
        return -EINVAL;
    if (f == epf)
        return -EINVAL;
    if (f->ops == &epoll_ops)
        return -EINVAL; /* nested epoll is not supported */
    if (!f->ops->poll)
        return -EPERM; /* regular files and directories, as Linux */
    struct epoll *ep = epf->priv;
    struct epitem *it = find(ep, f, fd);
    struct linux_epoll_event ev = {0, 0};
    if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
        return -EFAULT;

    switch (op) {
    case EPOLL_CTL_ADD:
        if (it)
            return -EEXIST;
        it = kzalloc(sizeof(*it));
        if (!it)
            return -ENOMEM;
        it->ep = ep;
        it->file = f;
        it->fd = fd;
        list_add_tail(&ep->items, &it->elink);
        list_add_tail(&f->watchers, &it->flink);
        break;
    case EPOLL_CTL_MOD:
        if (!it)
            return -ENOENT;
        break;
    case EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        item_free(it);
        return 0;
    default:
        return -EINVAL;
    }
    it->events = ev.events | ALWAYS;
    it->data = ev.data;
    it->disabled = false;
    ready_add(it); /* asked once, as Linux polls a new or changed item */
    waitq_wake(&ep->wq, -1);
    return 0;
}

void epoll_notify(struct file *f, uint32_t events)
{
    (void)events;
    list_for_each(l, &f->watchers)
    {
        struct epitem *it = container_of(l, struct epitem, flink);
        ready_add(it);
        waitq_wake(&it->ep->wq, -1);
        file_notify(it->ep->self, EPOLLIN);
    }
}

void epoll_forget(struct file *f)
{
    list_for_each(l, &f->watchers)
        item_free(container_of(l, struct epitem, flink));
}

/* Collects up to max ready events from the ready list; level-triggered
 * items that reported go back on it, at the end, after this pass. */
static int collect(struct epoll *ep, struct linux_epoll_event *out, int max)
{
    struct list again;
    int n = 0;
    list_init(&again);
    list_for_each(l, &ep->ready)
    {
        if (n == max)
            break;
        struct epitem *it = container_of(l, struct epitem, rlink);
        uint32_t ev = item_events(it);
        ready_del(it);
        if (!ev)
            continue;
        if (it->events & EPOLLONESHOT)
            it->disabled = true;
        out[n].events = ev;
        out[n].data = it->data;
        n++;
        if (!(it->events & (EPOLLET | EPOLLONESHOT)))
            list_add_tail(&again, &it->rlink);
    }
    list_for_each(l, &again)
    {
        list_del(l);
        ready_add(container_of(l, struct epitem, rlink));
    }
    return n;
}

long epoll_wait(struct file *epf, uint64_t uevents, int maxevents,
                uint64_t deadline, bool block)
{
    struct linux_epoll_event out[64];
    if (epf->ops != &epoll_ops)
        return -EINVAL;
    if (maxevents <= 0 || maxevents > (int)(INT32_MAX / sizeof(out[0])))
        return -EINVAL;
    if (!user_range_ok(uevents, (uint64_t)maxevents * sizeof(out[0])))
        return -EFAULT;
    struct epoll *ep = epf->priv;
    for (;;) {
        int n = collect(ep, out, MIN(maxevents, (int)ARRAY_SIZE(out)));
        if (n) {
            if (copy_to_user(uevents, out, n * sizeof(out[0])))
                return -EFAULT;
            return n;
        }
        if (!block)
            return 0;
        int r = sched_sleep(&ep->wq, deadline);
        if (r == -ETIMEDOUT)
            return 0;
        if (r == -EINTR)
            return -EINTR;
    }
}
