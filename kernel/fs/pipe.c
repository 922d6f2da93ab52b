/*
 * fs/pipe.c — pipes and FIFOs: a 64 KiB ring with any number of readers
 * and writers (a pipe has one of each; a FIFO, a named node in the file
 * tree, gets them as it is opened), with Linux's blocking, O_NONBLOCK,
 * EPIPE/SIGPIPE, end-of-file and PIPE_BUF rules, and FIFO open semantics (a
 * reader waits for a writer and the reverse; O_NONBLOCK writers get ENXIO).  Go
 * 1.19-1.22's netpoller wakes epoll_pwait through a pipe.
 */
#include "fs/fs.h"
#include "mm/mm.h"

#define PIPE_ORDER 4
#define PIPE_SIZE (PAGE_SIZE << PIPE_ORDER)
_Static_assert(PIPE_SIZE == PIPE_CAPACITY, "pipe size");
#define PIPE_BUF 4096 /* writes up to this size are atomic (POSIX) */
#define PIPE_FILES 32

struct pipe {
    uint8_t *buf;
    size_t head, len; /* read position and bytes held */
    int readers, writers;
    unsigned read_opens, write_opens; /* ends ever opened (FIFO opens) */
    struct file *files[PIPE_FILES];   /* open ends, to notify */
    struct node *fifo;                /* the FIFO's node, or NULL */
    struct waitq open_wq;             /* FIFO opens waiting for a peer */
};

static struct pipe *pipe_of(struct file *f)
{
    return f->priv;
}

static bool reads(struct file *f)
{
    return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writes(struct file *f)
{
    return (f->flags & O_ACCMODE) != O_RDONLY;
}

/* Tells the ends that read (or write) that something changed. */
static void notify(struct pipe *p, bool readers, uint32_t ev)
{
    for (int i = 0; i < PIPE_FILES; i++) {
        struct file *f = p->files[i];
        if (f && (readers ? reads(f) : writes(f)))
            file_notify(f, ev);
    }
}

static long pipe_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct pipe *p = pipe_of(f);
    while (p->len == 0) {
        if (!p->writers)
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
    notify(p, false, EPOLLOUT);
    return done;
}

static long pipe_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct pipe *p = pipe_of(f);
    size_t done = 0;
    while (done < n) {
        if (!p->readers) {
            signal_send_thread(current(), SIGPIPE, 0);
            return done ? (long)done : -EPIPE;
        }
        /* Up to PIPE_BUF bytes go in at once or not at all (man 7 pipe):
         * their room is waited for, or EAGAIN. */
        size_t room = PIPE_SIZE - p->len;
        if (!room || (n <= PIPE_BUF && room < n - done)) {
            if (f->flags & O_NONBLOCK)
                return done ? (long)done : -EAGAIN;
            int r = file_wait(f);
            if (r)
                return done ? (long)done : r;
            continue;
        }
        size_t tail = (p->head + p->len) % PIPE_SIZE;
        size_t c = MIN(MIN(n - done, room), PIPE_SIZE - tail);
        if (copy_from_user(p->buf + tail, ubuf + done, c))
            return done ? (long)done : -EFAULT;
        p->len += c;
        done += c;
        notify(p, true, EPOLLIN);
    }
    return done;
}

static uint32_t pipe_poll(struct file *f)
{
    struct pipe *p = pipe_of(f);
    uint32_t ev = 0;
    if (reads(f)) {
        if (p->len)
            ev |= EPOLLIN | EPOLLRDNORM;
        if (!p->writers)
            ev |= EPOLLHUP;
    }
    if (writes(f)) {
        if (p->len < PIPE_SIZE)
            ev |= EPOLLOUT | EPOLLWRNORM;
        if (!p->readers)
            ev |= EPOLLERR;
    }
    return ev;
}

static void pipe_free(struct pipe *p)
{
    if (p->fifo)
        p->fifo->priv = NULL;
    pmem_free(virt_to_phys(p->buf), PIPE_ORDER);
    kfree(p);
}

static void pipe_release(struct file *f)
{
    struct pipe *p = pipe_of(f);
    for (int i = 0; i < PIPE_FILES; i++)
        if (p->files[i] == f)
            p->files[i] = NULL;
    if (reads(f))
        p->readers--;
    if (writes(f))
        p->writers--;
    if (!p->readers && !p->writers) {
        pipe_free(p); /* a FIFO's data does not outlive its last opener */
        return;
    }
    notify(p, true, EPOLLHUP);
    notify(p, false, EPOLLERR);
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
    if (f->node) {
        node_stat(f->node, st);
        return;
    }
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

bool file_is_pipe(const struct file *f)
{
    return f->ops == &pipe_ops;
}

static struct pipe *pipe_new(void)
{
    struct pipe *p = kzalloc(sizeof(*p));
    uint64_t pa = p ? pmem_alloc(PIPE_ORDER) : 0;
    if (!pa) {
        kfree(p);
        return NULL;
    }
    p->buf = phys_to_virt(pa);
    waitq_init(&p->open_wq);
    return p;
}

/* A file for one end of p: 0 or -ENFILE. */
static long pipe_end(struct pipe *p, unsigned flags, struct file **out)
{
    int slot = 0;
    while (slot < PIPE_FILES && p->files[slot])
        slot++;
    if (slot == PIPE_FILES)
        return -ENFILE;
    struct file *f = file_alloc(&pipe_ops, p, flags);
    if (!f)
        return -ENFILE;
    f->anon = "pipe";
    p->files[slot] = f;
    if (reads(f))
        p->readers++, p->read_opens++;
    if (writes(f))
        p->writers++, p->write_opens++;
    *out = f;
    return 0;
}

long pipe_create(struct file *ends[2], unsigned flags)
{
    struct pipe *p = pipe_new();
    if (!p)
        return -ENFILE;
    unsigned nb = flags & O_NONBLOCK;
    if (pipe_end(p, O_RDONLY | nb, &ends[0])) {
        pipe_free(p);
        return -ENFILE;
    }
    if (pipe_end(p, O_WRONLY | nb, &ends[1])) {
        file_put(ends[0]);
        return -ENFILE;
    }
    return 0;
}

long fifo_open(struct node *n, unsigned flags, struct file **out)
{
    struct pipe *p = n->priv;
    unsigned acc = flags & O_ACCMODE;
    if (!p) {
        if (!(p = pipe_new()))
            return -ENFILE;
        p->fifo = n;
        n->priv = p;
    }
    if (acc == O_WRONLY && !p->readers && (flags & O_NONBLOCK)) {
        if (!p->writers)
            pipe_free(p);
        return -ENXIO;
    }
    unsigned seen = acc == O_RDONLY ? p->write_opens : p->read_opens;
    long r = pipe_end(p, flags & (O_ACCMODE | O_NONBLOCK), out);
    if (r) {
        if (!p->readers && !p->writers)
            pipe_free(p);
        return r;
    }
    waitq_wake(&p->open_wq, -1);
    notify(p, true, EPOLLIN);
    notify(p, false, EPOLLOUT);
    /* A blocking reader waits for a writer to open, a writer for a
     * reader, as fs/pipe.c's wait_for_partner: for an open, not for one
     * still open (a writer may write and close before the reader runs,
     * which then reads what it wrote and end-of-file). */
    bool alone = !(flags & O_NONBLOCK) && acc != O_RDWR &&
                 !(acc == O_RDONLY ? p->writers : p->readers);
    while (alone &&
           (acc == O_RDONLY ? p->write_opens : p->read_opens) == seen) {
        if (sched_sleep(&p->open_wq, 0) == -EINTR) {
            file_put(*out);
            return -ERESTARTSYS;
        }
    }
    return 0;
}
