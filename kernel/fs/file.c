/*
 * fs/file.c — file objects (reference counted) and fd tables.  A process's
 * threads share its table (CLONE_FILES); clone without it will copy one
 * (fd_table_copy).  The fd_ calls act on the table installed on the
 * calling CPU (fd_table_install, at each switch to a thread of a
 * process), or on the boot's table (fdt0) on a CPU no process ran on yet;
 * the boot's table becomes the first process's.
 */
#include "fs/fs.h"
#include "mm/mm.h"

/* The table grows by chunks of one page each, allocated as fds are
 * first used there, so FD_MAX (Linux's nr_open) costs nothing until a
 * program opens that many, and no allocation is ever larger than a
 * page (a flat array of a million fds would need 8 MiB in one piece). */
#define FD_CHUNK 448 /* 448 * (8 + 1) bytes and the heap's header: a page */

struct fd_chunk {
    struct file *files[FD_CHUNK];
    uint8_t cloexec[FD_CHUNK];
};

struct fd_table {
    int refs; /* processes sharing it */
    struct fd_chunk *chunk[(FD_MAX + FD_CHUNK - 1) / FD_CHUNK];
    int count;
    int limit;  /* RLIMIT_NOFILE's soft limit (Linux: the process's) */
    int lowest; /* no free fd below it */
};

static struct fd_chunk fd_chunk0; /* the boot's first fds: no allocation */
static struct fd_table fdt0 = {.refs = 1, .chunk = {&fd_chunk0}, .limit = 1024};

struct fd_table *fd_table_current(void)
{
    struct fd_table *t = this_cpu()->files;
    return t ? t : &fdt0;
}

void fd_table_install(struct fd_table *t)
{
    this_cpu()->files = t;
}

void fd_set_limit(int n)
{
    fd_table_current()->limit = n > FD_MAX ? FD_MAX : n;
}

int fd_limit(void)
{
    return fd_table_current()->limit;
}

/* The chunk of t holding fd (0 <= fd < FD_MAX), made when MAKE; NULL when
 * there is none (or no memory for it). */
static struct fd_chunk *table_chunk(struct fd_table *t, int fd, bool make)
{
    struct fd_chunk **c = &t->chunk[fd / FD_CHUNK];
    if (!*c && make)
        *c = kzalloc(sizeof(**c));
    return *c;
}

static struct fd_chunk *fd_chunk(int fd, bool make)
{
    return table_chunk(fd_table_current(), fd, make);
}

static struct file *fd_slot(int fd)
{
    return fd_table_file(fd_table_current(), fd);
}

struct fd_table *fd_table_copy(struct fd_table *from)
{
    struct fd_table *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    *t = (struct fd_table){.refs = 1,
                           .count = from->count,
                           .limit = from->limit,
                           .lowest = from->lowest};
    for (unsigned i = 0; i < ARRAY_SIZE(t->chunk); i++) {
        if (!from->chunk[i])
            continue;
        if (!(t->chunk[i] = kmalloc(sizeof(*t->chunk[i])))) {
            t->count = 0; /* no file reference taken yet */
            fd_table_put(t);
            return NULL;
        }
        *t->chunk[i] = *from->chunk[i];
    }
    for (unsigned i = 0; i < ARRAY_SIZE(t->chunk); i++)
        for (unsigned j = 0; t->chunk[i] && j < FD_CHUNK; j++)
            if (t->chunk[i]->files[j])
                file_get(t->chunk[i]->files[j]);
    return t;
}

struct fd_table *fd_table_share(struct fd_table *t)
{
    t->refs++;
    return t;
}

struct fd_table *fd_table_unshare(struct fd_table *t)
{
    if (t->refs == 1)
        return t;
    struct fd_table *n = fd_table_copy(t);
    if (n)
        fd_table_put(t);
    return n;
}

void fd_table_put(struct fd_table *t)
{
    assert(t->refs > 0);
    if (--t->refs)
        return;
    assert(t != fd_table_current());
    for (unsigned i = 0; i < ARRAY_SIZE(t->chunk); i++) {
        struct fd_chunk *c = t->chunk[i];
        for (unsigned j = 0; c && t->count && j < FD_CHUNK; j++)
            if (c->files[j]) {
                file_put(c->files[j]);
                t->count--;
            }
        if (c != &fd_chunk0) {
            kfree(c);
            t->chunk[i] = NULL; /* the boot's table outlives its chunks */
        }
    }
    if (t != &fdt0)
        kfree(t);
}

void fd_table_each(struct fd_table *t,
                   void (*fn)(int fd, struct file *f, void *arg), void *arg)
{
    for (unsigned i = 0; i < ARRAY_SIZE(t->chunk); i++) {
        struct fd_chunk *c = t->chunk[i];
        for (unsigned j = 0; c && j < FD_CHUNK; j++)
            if (c->files[j])
                fn((int)(i * FD_CHUNK + j), c->files[j], arg);
    }
}

struct file *fd_table_file(struct fd_table *t, int fd)
{
    struct fd_chunk *c =
        fd < 0 || fd >= FD_MAX ? NULL : t->chunk[fd / FD_CHUNK];
    return c ? c->files[fd % FD_CHUNK] : NULL;
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
    struct fd_chunk *c = fd_chunk(fd, true);
    if (!c)
        return -ENOMEM;
    if (c->files[fd % FD_CHUNK])
        fd_close(fd);
    c->files[fd % FD_CHUNK] = f;
    c->cloexec[fd % FD_CHUNK] = cloexec;
    struct fd_table *t = fd_table_current();
    t->count++;
    if (fd == t->lowest)
        t->lowest++;
    return fd;
}

int fd_free_from(int min)
{
    struct fd_table *t = fd_table_current();
    int fd = MAX(min, t->lowest);
    while (fd < t->limit && fd_slot(fd))
        fd++;
    if (min <= t->lowest)
        t->lowest = fd;
    return fd < t->limit ? fd : -EMFILE;
}

int fd_install(struct file *f, bool cloexec)
{
    int fd = fd_free_from(0);
    return fd < 0 ? fd : fd_install_at(fd, f, cloexec);
}

int fd_install_new(struct file *f, bool cloexec)
{
    int fd = fd_install(f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

struct file *fd_table_get(struct fd_table *t, int fd)
{
    struct fd_chunk *c =
        fd < 0 || fd >= FD_MAX ? NULL : table_chunk(t, fd, false);
    struct file *f = c ? c->files[fd % FD_CHUNK] : NULL;
    if (f)
        file_get(f);
    return f;
}

struct file *fd_get(int fd)
{
    return fd_table_get(fd_table_current(), fd);
}

int fd_close(int fd)
{
    struct file *f = fd < 0 || fd >= FD_MAX ? NULL : fd_slot(fd);
    if (!f)
        return -EBADF;
    fd_chunk(fd, false)->files[fd % FD_CHUNK] = NULL;
    struct fd_table *t = fd_table_current();
    t->count--;
    if (fd < t->lowest)
        t->lowest = fd;
    file_put(f);
    return 0;
}

void fd_close_all(void)
{
    for (int fd = 0; fd < FD_MAX && fd_table_current()->count > 0; fd++)
        if (fd_slot(fd))
            fd_close(fd);
}

void fd_close_cloexec(void)
{
    for (int fd = 0; fd < FD_MAX && fd_table_current()->count > 0; fd++)
        if (fd_slot(fd) && fd_cloexec(fd))
            fd_close(fd);
}

bool fd_cloexec(int fd)
{
    struct fd_chunk *c = fd_chunk(fd, false);
    return c && c->cloexec[fd % FD_CHUNK];
}

void fd_set_cloexec(int fd, bool on)
{
    struct fd_chunk *c = fd_chunk(fd, false);
    if (c)
        c->cloexec[fd % FD_CHUNK] = on;
}

int fd_count(void)
{
    return fd_table_current()->count;
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
