/*
 * fs/dev.c — character devices: the console behind fds 0, 1 and 2 (stdin
 * reads end-of-file; stdout and stderr go to the host separately), and
 * /dev/null, /dev/zero, /dev/full, /dev/random and /dev/urandom.
 */
#include "fs/fs.h"
#include "drv/drv.h"
#include "mm/mm.h"

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413

enum dev_kind { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM };

static const struct {
    const char *path;
    enum dev_kind kind;
    unsigned minor;
} nodes[] = {
    {"/dev/null", DEV_NULL, 3},       {"/dev/zero", DEV_ZERO, 5},
    {"/dev/full", DEV_FULL, 7},       {"/dev/random", DEV_RANDOM, 8},
    {"/dev/urandom", DEV_URANDOM, 9},
};

static uint64_t makedev(unsigned major, unsigned minor)
{
    return ((uint64_t)major << 8) | minor;
}

/* --- console */

/* fd 0 as the program started: readers of stdin sleep on it, and epoll
 * watches on it learn when the host's bytes arrive. */
static struct file *stdin_file;

static void stdin_arrived(void)
{
    if (stdin_file)
        file_notify(stdin_file, EPOLLIN | EPOLLRDNORM);
}

/* Stdin: end of file at once, unless the host passes it in
 * (gorump.stdin, `gorump run -i`). */
static long con_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    uint8_t buf[512];
    if (!console_stdin_attached() || n == 0)
        return 0;
    while (console_stdin_avail() == 0) {
        if (console_stdin_eof())
            return 0;
        if (f->flags & O_NONBLOCK)
            return -EAGAIN;
        int r = file_wait(stdin_file);
        if (r)
            return r;
    }
    size_t k = console_stdin_peek(buf, MIN(n, sizeof(buf)));
    if (copy_to_user(ubuf, buf, k))
        return -EFAULT; /* the bytes stay for the next read */
    console_stdin_consume(k);
    return k;
}

/* Up to CON_CHUNK bytes at a time go out as one piece of the console's
 * stream: room for them (escaped) is reserved first, so the write never
 * sleeps between taking the program's bytes and sending them, and a
 * signal while waiting returns what was written (or restarts).  The
 * bytes go through one static buffer (the kernel is not preempted, and
 * nothing between the copy and the send sleeps), or through a small one
 * on the stack should a fault in copy_from_user let another writer in. */
#define CON_CHUNK 8192

static struct {
    char buf[CON_CHUNK];
    bool busy;
} conbuf;

/* Copies k <= CON_CHUNK bytes at ubuf into the console's stream s: how
 * many were sent, fewer than k at a fault. */
static size_t con_copy(enum console_stream s, uint64_t ubuf, size_t k)
{
    char small[256];
    bool mine = !conbuf.busy;
    char *buf = mine ? conbuf.buf : small;
    size_t size = mine ? sizeof(conbuf.buf) : sizeof(small), at = 0;
    conbuf.busy = true;
    while (at < k) {
        size_t n = MIN(k - at, size);
        if (copy_from_user(buf, ubuf + at, n))
            break;
        console_append(s, buf, n);
        at += n;
    }
    if (mine)
        conbuf.busy = false;
    return at;
}

/* Writers waiting for room on the console's port. */
static struct waitq con_room = {LIST_INIT(con_room.waiters)};

static void con_room_came(void)
{
    waitq_wake(&con_room, -1);
}

/* Waits until n bytes of stream fit: 0, or -ERESTARTSYS for a signal. */
static int con_wait_room(size_t n)
{
    while (console_reserve(n) == -EAGAIN)
        if (sched_sleep(&con_room, 0) == -EINTR)
            return -ERESTARTSYS;
    return 0;
}

static long con_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    enum console_stream s = (enum console_stream)(uintptr_t)f->priv;
    size_t done = 0;
    long r = 0;
    while (done < n && !r) {
        size_t chunk = MIN(n - done, CON_CHUNK);
        r = con_wait_room(2 * chunk + 2);
        if (r)
            break;
        size_t k = con_copy(s, ubuf + done, chunk);
        done += k;
        if (k < chunk)
            r = -EFAULT;
    }
    console_flush();
    return done ? (long)done : r;
}

static uint32_t con_poll(struct file *f)
{
    (void)f;
    uint32_t ev = EPOLLOUT | EPOLLWRNORM;
    if (!console_stdin_attached() || console_stdin_avail() ||
        console_stdin_eof())
        ev |= EPOLLIN | EPOLLRDNORM;
    return ev;
}

static long con_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)arg;
    /* Not a terminal: the host's terminal is the tool's business. */
    return cmd == TCGETS || cmd == TIOCGWINSZ ? -ENOTTY : -EINVAL;
}

static void chr_stat(struct file *f, struct linux_stat *st)
{
    if (f->node) {
        node_stat(f->node, st);
        return;
    }
    st->st_mode = S_IFCHR | 0620;
    st->st_rdev = f->ops->read == con_read ? makedev(136, 0)
                                           : makedev(1, (uintptr_t)f->priv);
    st->st_blksize = 4096;
}

static const struct file_ops con_ops = {
    .read = con_read,
    .write = con_write,
    .poll = con_poll,
    .ioctl = con_ioctl,
    .stat = chr_stat,
};

/* --- memory devices; priv holds the minor number */

static enum dev_kind kind_of(struct file *f)
{
    for (unsigned i = 0; i < ARRAY_SIZE(nodes); i++)
        if (nodes[i].minor == (uintptr_t)f->priv)
            return nodes[i].kind;
    return DEV_NULL;
}

static long mem_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    enum dev_kind k = kind_of(f);
    if (k == DEV_NULL)
        return 0;
    if (k == DEV_ZERO || k == DEV_FULL) {
        /* Page by page, so a fault part-way returns what was done. */
        size_t done = 0;
        while (done < n) {
            size_t c = MIN(n - done, PAGE_SIZE - ((ubuf + done) & 4095));
            if (zero_user(ubuf + done, c))
                return done ? (long)done : -EFAULT;
            done += c;
        }
        return done;
    }
    uint8_t buf[256];
    size_t done = 0;
    while (done < n) {
        size_t c = MIN(n - done, sizeof(buf));
        random_bytes(buf, c);
        if (copy_to_user(ubuf + done, buf, c))
            return done ? (long)done : -EFAULT;
        done += c;
    }
    return done;
}

static long mem_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    return kind_of(f) == DEV_FULL ? -ENOSPC : (long)n;
}

static uint32_t mem_poll(struct file *f)
{
    (void)f;
    return EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;
}

static long mem_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    (void)f, (void)cmd, (void)arg;
    return -ENOTTY;
}

static const struct file_ops mem_ops = {
    .read = mem_read,
    .write = mem_write,
    .poll = mem_poll,
    .ioctl = mem_ioctl,
    .stat = chr_stat,
};

static void add_node(const char *path, const struct file_ops *ops, void *priv,
                     uint64_t rdev)
{
    struct node *n = node_new(S_IFCHR | 0666);
    if (!n)
        panic("cannot create %s", path);
    n->fops = ops;
    n->priv = priv;
    n->rdev = rdev;
    node_place(path, strlen(path), n);
    node_put(n);
}

static void add_link(const char *path, const char *target)
{
    struct node *n = node_new(S_IFLNK | 0777);
    size_t len = strlen(target);
    if (!n || !(n->link = kmalloc(len + 1)))
        panic("cannot create %s", path);
    memcpy(n->link, target, len + 1);
    n->size = len;
    node_place(path, strlen(path), n);
    node_put(n);
}

void dev_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(nodes); i++)
        add_node(nodes[i].path, &mem_ops, (void *)(uintptr_t)nodes[i].minor,
                 makedev(1, nodes[i].minor));
    add_node("/dev/console", &con_ops, (void *)(uintptr_t)CON_STDOUT,
             makedev(5, 1));
    add_link("/dev/stdin", "/proc/self/fd/0");
    add_link("/dev/stdout", "/proc/self/fd/1");
    add_link("/dev/stderr", "/proc/self/fd/2");
    add_link("/dev/fd", "/proc/self/fd");
    node_mkdirs("/dev/shm", 8)->mode = S_IFDIR | 01777;

    static const unsigned mode[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
    for (int fd = 0; fd < 3; fd++) {
        uintptr_t stream = fd == 0   ? CON_KERNEL
                           : fd == 1 ? CON_STDOUT
                                     : CON_STDERR;
        struct file *f = file_alloc(&con_ops, (void *)stream, mode[fd]);
        if (!f)
            panic("cannot open the console");
        f->anon = "console";
        f->path = NULL;
        if (fd_install_at(fd, f, false) != fd)
            panic("cannot open the console");
        if (fd == 0) {
            file_get(f);
            stdin_file = f;
        }
    }
    console_stdin_notify(stdin_arrived);
    console_room_notify(con_room_came);
}
