/*
 * fs/inotify.c — inotify (man 7 inotify).  An instance is a file holding
 * watches and a queue of events.  A watch names a node (without holding
 * it: the node's end drops it, with IN_DELETE_SELF and IN_IGNORED).  The
 * file-system operations report through inotify_node, inotify_self and
 * inotify_entry; an event on a file also reaches the watched directories
 * that hold it, under its name there, before its own watches, as Linux's
 * fsnotify() orders them.  An event equal to the last one queued and not
 * yet read is merged into it; beyond max_queued_events one IN_Q_OVERFLOW
 * stands for everything lost.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define EVENT_SIZE 16 /* struct inotify_event without its name */
#define MAX_QUEUED 16384
#define MAX_INSTANCES 128

struct inotify {
    struct list watches; /* struct watch, by ilink */
    struct list events;  /* struct ievent, oldest first */
    unsigned queued;
    size_t bytes; /* of the queued records (FIONREAD) */
    int last_wd;
    struct file *self;
};

struct watch {
    struct list ilink; /* in its instance's watches */
    struct list glink; /* in ino.watches */
    struct inotify *in;
    struct node *node; /* not referenced: it drops the watch as it goes */
    int wd;
    uint32_t mask;
};

struct ievent {
    struct list link;
    int32_t wd;
    uint32_t mask, cookie;
    uint32_t len; /* name bytes with the padding Linux adds */
    char name[];
};

static struct {
    struct list watches; /* every watch of every instance */
    unsigned nwatches, instances;
    uint32_t cookie;
} ino = {.watches = LIST_INIT(ino.watches)};

unsigned inotify_limit(int which)
{
    /* max_user_watches: 1% of the RAM at about 1 KiB a watch, as Linux
     * sizes it (fs/notify/inotify/inotify_user.c), within its bounds. */
    uint64_t w = pmem_total_pages() * PAGE_SIZE / 100 / 1024;
    switch (which) {
    case 0:
        return MAX_QUEUED;
    case 1:
        return MAX_INSTANCES;
    default:
        return (unsigned)MIN(MAX(w, 8192UL), 1048576UL);
    }
}

static void queue(struct inotify *in, int wd, uint32_t mask, uint32_t cookie,
                  const char *name, size_t len)
{
    struct ievent *last =
        list_empty(&in->events)
            ? NULL
            : container_of(in->events.prev, struct ievent, link);
    uint32_t padded = len ? ALIGN_UP(len + 1, (size_t)EVENT_SIZE) : 0;
    if (last && last->wd == wd && last->mask == mask &&
        last->cookie == cookie && last->len == padded &&
        !strncmp(last->name, name ? name : "", len) &&
        (!len || !last->name[len]) && !(mask & IN_IGNORED))
        return;
    if (in->queued >= MAX_QUEUED) {
        if (last && last->mask == IN_Q_OVERFLOW)
            return;
        wd = -1, mask = IN_Q_OVERFLOW, cookie = 0, len = padded = 0;
    }
    struct ievent *e = kzalloc(sizeof(*e) + padded);
    if (!e)
        return; /* lost, as an event Linux cannot allocate */
    e->wd = wd, e->mask = mask, e->cookie = cookie, e->len = padded;
    if (len)
        memcpy(e->name, name, len);
    list_add_tail(&in->events, &e->link);
    in->queued++;
    in->bytes += EVENT_SIZE + padded;
    file_notify(in->self, EPOLLIN | EPOLLRDNORM);
}

static void watch_free(struct watch *w, bool ignored)
{
    if (ignored)
        queue(w->in, w->wd, IN_IGNORED, 0, NULL, 0);
    list_del(&w->ilink);
    list_del(&w->glink);
    ino.nwatches--;
    kfree(w);
}

/* Queues the event for w if it asks for it (IN_ONESHOT: once). */
static void deliver(struct watch *w, uint32_t mask, uint32_t cookie,
                    const char *name, size_t len)
{
    if (!(w->mask & mask & IN_ALL_EVENTS))
        return;
    queue(w->in, w->wd, mask, cookie, name, len);
    if (w->mask & IN_ONESHOT)
        watch_free(w, true);
}

void inotify_entry(struct node *dir, const char *name, size_t len,
                   uint32_t mask, uint32_t cookie, struct node *child)
{
    if (child && S_ISDIR(child->mode))
        mask |= IN_ISDIR;
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (w->node == dir)
            deliver(w, mask, cookie, name, len);
    }
}

void inotify_self(struct node *n, uint32_t mask)
{
    if (S_ISDIR(n->mode))
        mask |= IN_ISDIR;
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (w->node == n)
            deliver(w, mask, 0, NULL, 0);
    }
}

/* Delivers to the watches on the directories naming n; true if any does. */
static bool to_parents(struct node *n, uint32_t mask)
{
    bool named = false;
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (!S_ISDIR(w->node->mode) || !(w->mask & mask & IN_ALL_EVENTS))
            continue;
        list_for_each(c, &w->node->children)
        {
            struct dirent *d = container_of(c, struct dirent, link);
            if (d->node == n) {
                named = true;
                deliver(w, mask, 0, d->name, d->len);
                break;
            }
        }
    }
    return named;
}

/* An open file whose name is gone still reports to the directory it was
 * opened in, under the name it had, unless the watch says IN_EXCL_UNLINK. */
static void to_old_parent(struct file *f, uint32_t mask)
{
    const char *slash = NULL;
    for (const char *c = f->path; *c; c++)
        if (*c == '/')
            slash = c;
    struct node *dir;
    char *p = kmalloc(PATH_MAX);
    if (!p || !slash)
        goto out;
    size_t dl = slash == f->path ? 1 : (size_t)(slash - f->path);
    memcpy(p, f->path, dl);
    p[dl] = '\0';
    if (path_resolve(AT_FDCWD, p, false, &dir))
        goto out;
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (w->node == dir && !(w->mask & IN_EXCL_UNLINK))
            deliver(w, mask, 0, slash + 1, strlen(slash + 1));
    }
    node_put(dir);
out:
    kfree(p);
}

void inotify_node(struct node *n, uint32_t mask, struct file *f)
{
    if (list_empty(&ino.watches))
        return;
    if (S_ISDIR(n->mode)) {
        mask |= IN_ISDIR;
        if (n->self)
            inotify_entry(n->parent, n->self->name, n->self->len, mask, 0,
                          NULL);
    } else if (!to_parents(n, mask) && f && f->path && n->nlink == 0) {
        to_old_parent(f, mask);
    }
    inotify_self(n, mask & ~IN_ISDIR);
}

uint32_t inotify_cookie(void)
{
    if (++ino.cookie == 0)
        ino.cookie = 1;
    return ino.cookie;
}

void inotify_unlinked(struct node *n, int held)
{
    if (n->nlink || n->refs > held || list_empty(&ino.watches))
        return;
    inotify_self(n, IN_DELETE_SELF);
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (w->node == n)
            watch_free(w, true);
    }
}

void inotify_closed(struct file *f)
{
    if (!f->node || (f->flags & O_PATH))
        return;
    bool wrote = (f->flags & O_ACCMODE) != O_RDONLY;
    inotify_node(f->node, wrote ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE, f);
}

/* --- the instance's file */

static long in_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct inotify *in = f->priv;
    while (list_empty(&in->events)) {
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int r = file_wait(f);
        if (r)
            return r;
    }
    size_t done = 0;
    while (!list_empty(&in->events)) {
        struct ievent *e = container_of(in->events.next, struct ievent, link);
        size_t size = EVENT_SIZE + e->len;
        if (done + size > n)
            break;
        if (copy_to_user(ubuf + done, &e->wd, EVENT_SIZE) ||
            copy_to_user(ubuf + done + EVENT_SIZE, e->name, e->len))
            return done ? (long)done : -EFAULT;
        done += size;
        list_del(&e->link);
        in->queued--;
        in->bytes -= size;
        kfree(e);
    }
    return done ? (long)done : -EINVAL; /* too small for the next event */
}

static long in_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    return -EINVAL;
}

static uint32_t in_poll(struct file *f)
{
    struct inotify *in = f->priv;
    return list_empty(&in->events) ? 0 : EPOLLIN | EPOLLRDNORM;
}

static long in_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    struct inotify *in = f->priv;
    if (cmd != FIONREAD)
        return -ENOTTY;
    int v = (int)in->bytes;
    return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static void in_stat(struct file *f, struct linux_stat *st)
{
    st->st_mode = 0600;
    st->st_blksize = PAGE_SIZE;
}

static void in_release(struct file *f)
{
    struct inotify *in = f->priv;
    list_for_each(l, &in->watches)
        watch_free(container_of(l, struct watch, ilink), false);
    list_for_each(l, &in->events) kfree(container_of(l, struct ievent, link));
    ino.instances--;
    kfree(in);
}

static const struct file_ops inotify_ops = {
    .read = in_read,
    .write = in_write,
    .poll = in_poll,
    .ioctl = in_ioctl,
    .stat = in_stat,
    .release = in_release,
};

long inotify_create(unsigned flags, struct file **out)
{
    if (ino.instances >= MAX_INSTANCES)
        return -EMFILE;
    struct inotify *in = kzalloc(sizeof(*in));
    if (!in)
        return -ENOMEM;
    list_init(&in->watches);
    list_init(&in->events);
    *out = file_alloc(&inotify_ops, in, O_RDONLY | (flags & O_NONBLOCK));
    if (!*out) {
        kfree(in);
        return -ENOMEM;
    }
    in->self = *out;
    (*out)->anon = "anon_inode:inotify";
    ino.instances++;
    return 0;
}

bool file_is_inotify(const struct file *f)
{
    return f->ops == &inotify_ops;
}

static struct watch *find_wd(struct inotify *in, int wd)
{
    list_for_each(l, &in->watches)
    {
        struct watch *w = container_of(l, struct watch, ilink);
        if (w->wd == wd)
            return w;
    }
    return NULL;
}

long inotify_add_watch(struct file *f, struct node *n, uint32_t mask)
{
    if (f->ops != &inotify_ops)
        return -EINVAL;
    struct inotify *in = f->priv;
    uint32_t keep = mask & (IN_ALL_EVENTS | IN_EXCL_UNLINK | IN_ONESHOT);
    list_for_each(l, &in->watches)
    {
        struct watch *w = container_of(l, struct watch, ilink);
        if (w->node != n)
            continue;
        if (mask & IN_MASK_CREATE)
            return -EEXIST;
        w->mask = (mask & IN_MASK_ADD) ? w->mask | keep : keep;
        return w->wd;
    }
    if (ino.nwatches >= inotify_limit(2))
        return -ENOSPC;
    struct watch *w = kzalloc(sizeof(*w));
    if (!w)
        return -ENOMEM;
    w->in = in;
    w->node = n;
    w->mask = keep;
    do
        w->wd = in->last_wd = in->last_wd == INT32_MAX ? 1 : in->last_wd + 1;
    while (find_wd(in, w->wd));
    list_add_tail(&in->watches, &w->ilink);
    list_add_tail(&ino.watches, &w->glink);
    ino.nwatches++;
    return w->wd;
}

long inotify_rm_watch(struct file *f, int wd)
{
    if (f->ops != &inotify_ops)
        return -EINVAL;
    struct watch *w = find_wd(f->priv, wd);
    if (!w)
        return -EINVAL;
    watch_free(w, true);
    return 0;
}

bool inotify_watched(const struct node *n)
{
    list_for_each(l, &ino.watches)
    {
        struct watch *w = container_of(l, struct watch, glink);
        if (w->node == n)
            return true;
    }
    return false;
}
