/*
 * sys/sys_fd.c — system calls on file descriptors: read and write in all
 * their forms, open, close, dup, fcntl, ioctl, fstat, and the creation of
 * pipes, eventfds and epoll instances.
 */
#include "sys/syscall.h"
#include "fs/mount.h"
#include "mm/mm.h"
#include "net/net.h"

/* Reads or writes at *pos (NULL: the file's own position). */
static long do_io(int fd, uint64_t buf, size_t n, bool write, uint64_t *pos)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    unsigned acc = f->flags & O_ACCMODE;
    long r;
    if ((f->flags & O_PATH) || acc == (write ? O_RDONLY : O_WRONLY))
        r = -EBADF;
    else if (pos && !f->node)
        r = -ESPIPE;
    else if (!user_range_ok(buf, n))
        r = -EFAULT;
    else if (write)
        r = f->ops->write(f, buf, n, pos ? pos : &f->pos);
    else
        r = f->ops->read(f, buf, n, pos ? pos : &f->pos);
    if (r > 0 && f->node)
        inotify_node(f->node, write ? IN_MODIFY : IN_ACCESS, f);
    file_put(f);
    return r;
}

static long do_read(int fd, uint64_t buf, size_t n)
{
    return do_io(fd, buf, n, false, NULL);
}

static long do_write(int fd, uint64_t buf, size_t n)
{
    return do_io(fd, buf, n, true, NULL);
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

/* One iovec's transfer; after the first bytes it must not wait. */
static long iov_step(int fd, uint64_t buf, size_t n, bool write, bool started)
{
    struct file *f = started ? fd_get(fd) : NULL;
    unsigned saved = f ? f->flags : 0;
    if (f)
        f->flags |= O_NONBLOCK;
    long r = write ? do_write(fd, buf, n) : do_read(fd, buf, n);
    if (f) {
        f->flags = (f->flags & ~O_NONBLOCK) | (saved & O_NONBLOCK);
        file_put(f);
    }
    return r;
}

/* Whether fd is a socket whose vector fits one message. */
static bool iov_is_message(int fd, long cnt)
{
    struct file *f = fd_get(fd);
    bool r = f && file_is_socket(f) && cnt <= NET_MSG_IOV_MAX;
    if (f)
        file_put(f);
    return r;
}

/* Files other than sockets: one transfer per iovec, but only the first may
 * wait; once bytes have moved, an iovec that would block ends the call
 * with what was done (readv(2): a partial transfer, never a second wait). */
static long do_iov(int fd, uint64_t uiov, long cnt, bool write)
{
    if (cnt < 0 || cnt > IOV_MAX)
        return -EINVAL;
    if (iov_is_message(fd, cnt))
        return net_iov_io(fd, uiov, cnt, write);
    long total = 0;
    for (long i = 0; i < cnt; i++) {
        struct linux_iovec iov;
        if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
            return -EFAULT;
        if ((int64_t)iov.len < 0)
            return -EINVAL;
        if (!iov.len)
            continue;
        long r = iov_step(fd, iov.base, iov.len, write, total > 0);
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

SYS(pread64)
{
    if (a2 < 0 || a3 < 0)
        return -EINVAL;
    uint64_t pos = a3;
    return do_io((int)a0, a1, a2, false, &pos);
}

SYS(pwrite64)
{
    if (a2 < 0 || a3 < 0)
        return -EINVAL;
    uint64_t pos = a3;
    return do_io((int)a0, a1, a2, true, &pos);
}

SYS(lseek)
{
    enum { SET = 0, CUR = 1, END = 2, DATA = 3, HOLE = 4 };
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r;
    int64_t base;
    if (!f->node) {
        r = -ESPIPE;
        goto out;
    }
    switch (a2) {
    case SET:
        base = 0;
        break;
    case CUR:
        base = (int64_t)f->pos;
        break;
    case END:
    case DATA:
    case HOLE:
        mount_refresh(f->node); /* a mount's file may have grown */
        base = (int64_t)f->node->size;
        break;
    default:
        r = -EINVAL;
        goto out;
    }
    if (a2 == DATA || a2 == HOLE) {
        /* No holes are reported: data runs to the end of the file. */
        if (a1 < 0 || (uint64_t)a1 >= f->node->size) {
            r = -ENXIO;
            goto out;
        }
        r = a2 == DATA ? a1 : base;
    } else if (a2 == SET) {
        r = a1;
    } else if (__builtin_add_overflow(base, a1, &r)) {
        r = -1; /* past the largest offset: EINVAL, as Linux */
    }
    if (r < 0) {
        r = -EINVAL;
        goto out;
    }
    if (S_ISCHR(f->node->mode))
        r = 0;
    f->pos = r;
out:
    file_put(f);
    return r;
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
    /* dup2(2): EBADF for a newfd RLIMIT_NOFILE does not allow. */
    if (newfd < 0 || newfd >= fd_limit()) {
        file_put(f);
        return -EBADF;
    }
    int r = fd_install_at(newfd, f, cloexec);
    if (r < 0)
        file_put(f);
    return r;
}

static long dup_from(int oldfd, int min, bool cloexec)
{
    struct file *f = fd_get(oldfd);
    if (!f)
        return -EBADF;
    /* fcntl(2): EINVAL for an arg at or above RLIMIT_NOFILE. */
    if (min < 0 || min >= fd_limit()) {
        file_put(f);
        return -EINVAL;
    }
    int fd = fd_free_from(min);
    if (fd >= 0)
        fd = fd_install_at(fd, f, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
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

/*
 * POSIX record locks (fcntl(2), "Advisory record locking"): they belong
 * to a process and never conflict with the same process's own, and there
 * is only one process, so every lock is granted at once and F_GETLK
 * always answers F_UNLCK.  The request is still checked as Linux checks
 * it: the lock type, l_whence, a read lock needing a readable fd and a
 * write lock a writable one (EBADF), the range not before offset 0.
 */
static long fcntl_lock(struct file *f, int cmd, uint64_t uarg)
{
    enum { RDLCK = 0, WRLCK = 1, UNLCK = 2 };
    struct {
        int16_t type, whence;
        int32_t pad;
        int64_t start, len;
        int32_t pid, pad2;
    } fl;
    unsigned acc = f->flags & O_ACCMODE;
    if (copy_from_user(&fl, uarg, sizeof(fl)))
        return -EFAULT;
    if (fl.type != RDLCK && fl.type != WRLCK && fl.type != UNLCK)
        return -EINVAL;
    if (fl.whence < 0 || fl.whence > 2)
        return -EINVAL;
    if (f->flags & O_PATH)
        return -EBADF;
    if (fl.whence == 0 &&
        (fl.start < 0 || (fl.len < 0 && fl.start + fl.len < 0)))
        return -EINVAL;
    if (cmd == F_GETLK) {
        if (fl.type == UNLCK)
            return -EINVAL;
        fl.type = UNLCK;
        return copy_to_user(uarg, &fl, sizeof(fl));
    }
    if ((fl.type == RDLCK && acc == O_WRONLY) ||
        (fl.type == WRLCK && acc == O_RDONLY))
        return -EBADF;
    return 0;
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
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
        r = fcntl_lock(f, (int)a1, a2);
        break;
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        /* The size is fixed: asking for at most it gets it, as Linux
         * rounds a request up; more is refused as above pipe-max-size. */
        if (!file_is_pipe(f))
            r = -EBADF;
        else if (a1 == F_SETPIPE_SZ && (uint32_t)a2 > 1U << 31)
            r = -EINVAL;
        else if (a1 == F_SETPIPE_SZ && (uint32_t)a2 > PIPE_CAPACITY)
            r = -EPERM;
        else
            r = PIPE_CAPACITY;
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

SYS(getdents64)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = (f->flags & O_PATH)      ? -EBADF
             : !user_range_ok(a1, a2) ? -EFAULT
                                      : vfs_getdents(f, a1, (size_t)a2);
    if (r >= 0)
        inotify_node(f->node, IN_ACCESS, f); /* as iterate_dir() */
    file_put(f);
    return r;
}

/* The regular file behind fd, opened for writing, with a reference. */
static long writable_regular(int fd, struct file **out)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    if (!file_is_regular(f) || (f->flags & O_PATH) ||
        (f->flags & O_ACCMODE) == O_RDONLY) {
        long r = (f->flags & O_PATH) || !file_is_regular(f) ? -EINVAL : -EBADF;
        if (f->node && S_ISDIR(f->node->mode))
            r = -EISDIR;
        file_put(f);
        return r;
    }
    *out = f;
    return 0;
}

SYS(ftruncate)
{
    struct file *f;
    if (a1 < 0)
        return -EINVAL;
    long r = writable_regular((int)a0, &f);
    if (r)
        return r;
    r = node_truncate(f->node, (uint64_t)a1);
    if (!r)
        inotify_node(f->node, IN_MODIFY, f);
    file_put(f);
    return r;
}

/* fallocate(fd, mode, offset, len): mode 0 extends the file. */
SYS(fallocate)
{
    struct file *f;
    if (a2 < 0 || a3 <= 0)
        return -EINVAL;
    if (a1 & ~1L) /* only FALLOC_FL_KEEP_SIZE */
        return -EOPNOTSUPP;
    long r = writable_regular((int)a0, &f);
    if (r)
        return r;
    uint64_t end = (uint64_t)a2 + (uint64_t)a3;
    if (!(a1 & 1) && end > f->node->size)
        r = node_truncate(f->node, end);
    if (!r)
        inotify_node(f->node, IN_MODIFY, f);
    file_put(f);
    return r;
}

/* fsync and fdatasync: the tree's memory is as durable as it gets; a
 * mount's file is synced by its backend (an ext2 volume: everything
 * written back and the disk's cache flushed before this returns). */
SYS(fsync)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = !f->node ? -EINVAL : f->node->mnt ? mount_fsync(f->node) : 0;
    file_put(f);
    return r;
}

/* sync(2): every mount, and it cannot fail. */
SYS(sync)
{
    mount_sync_all();
    return 0;
}

/* syncfs(2): the mount fd's file is on; a pipe or socket has nothing to
 * sync, as Linux's pipefs and sockfs. */
SYS(syncfs)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = f->node ? mount_sync(f->node) : 0;
    file_put(f);
    return r;
}

/* sync_file_range(2): the flags and range checked as Linux does (ESPIPE
 * for what is not a file or directory); a mount's file has the pages
 * its mappings changed written back.  write(2)'s data is at the backend
 * already, and, as on Linux, the disk's cache is not flushed: that is
 * fsync's. */
SYS(sync_file_range)
{
    enum { WAIT_BEFORE = 1, WRITE = 2, WAIT_AFTER = 4 };
    int64_t off = a1, len = a2;
    if ((uint64_t)a3 & ~(uint64_t)(WAIT_BEFORE | WRITE | WAIT_AFTER))
        return -EINVAL;
    if (off < 0 || len < 0 || off + len < off)
        return -EINVAL;
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = 0;
    if (!f->node || (!S_ISREG(f->node->mode) && !S_ISDIR(f->node->mode)))
        r = -ESPIPE;
    else if (f->node->mnt && S_ISREG(f->node->mode) && (a3 & WRITE))
        mount_writeback(f->node);
    file_put(f);
    return r;
}

static long node_of_fd(int fd, struct node **out)
{
    struct file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    *out = f->node;
    if (*out)
        node_get(*out);
    file_put(f);
    return *out ? 0 : -EINVAL;
}

SYS(fchmod)
{
    struct node *n;
    long r = node_of_fd((int)a0, &n);
    if (r)
        return r;
    r = vfs_chmod(n, (uint32_t)a1);
    node_put(n);
    return r;
}

SYS(fchown)
{
    struct node *n;
    long r = node_of_fd((int)a0, &n);
    if (r)
        return r;
    r = vfs_chown(n, (uint32_t)a1, (uint32_t)a2);
    node_put(n);
    return r;
}

SYS(fstatfs)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = fs_statfs(f->node, a1);
    file_put(f);
    return r;
}

/* Copies up to count bytes from a regular file to any writable fd,
 * through a kernel buffer.  *pos: the input position to use and advance. */
static long copy_between(struct file *in, struct file *out, uint64_t *pos,
                         size_t count)
{
    enum { CHUNK = 16384 };
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf)
        return -ENOMEM;
    size_t done = 0;
    long r = 0;
    while (done < count) {
        size_t c = MIN(count - done, (size_t)CHUNK);
        r = node_read(in->node, (uint64_t)buf, false, c, *pos);
        if (r <= 0)
            break;
        long w;
        if (file_is_regular(out)) {
            if (out->flags & O_APPEND)
                out->pos = out->node->size;
            w = node_write(out->node, (uint64_t)buf, false, r, out->pos);
            if (w > 0)
                out->pos += w;
        } else if (file_is_socket(out)) {
            w = sock_send_kernel(out, buf, r);
        } else {
            w = -EINVAL; /* pipes and devices take user buffers only */
        }
        if (w <= 0) {
            r = w;
            break;
        }
        *pos += w;
        done += w;
        if (w < r)
            break;
    }
    kfree(buf);
    if (done) {
        inotify_node(in->node, IN_ACCESS, in);
        if (out->node)
            inotify_node(out->node, IN_MODIFY, out);
    }
    return done ? (long)done : r;
}

static long sendfile_like(int outfd, int infd, uint64_t uoff, size_t count)
{
    struct file *in = fd_get(infd), *out = fd_get(outfd);
    long r;
    if (!in || !out) {
        r = -EBADF;
        goto done;
    }
    if (!file_is_regular(in) || (in->flags & O_ACCMODE) == O_WRONLY ||
        (out->flags & O_ACCMODE) == O_RDONLY) {
        r = (in->flags & O_ACCMODE) == O_WRONLY ||
                    (out->flags & O_ACCMODE) == O_RDONLY
                ? -EBADF
                : -EINVAL;
        goto done;
    }
    uint64_t off;
    if (uoff) {
        int64_t o;
        if (copy_from_user(&o, uoff, sizeof(o))) {
            r = -EFAULT;
            goto done;
        }
        if (o < 0) {
            r = -EINVAL;
            goto done;
        }
        off = (uint64_t)o;
    } else {
        off = in->pos;
    }
    r = copy_between(in, out, &off, count);
    if (uoff) {
        if (copy_to_user(uoff, &off, sizeof(off)))
            r = -EFAULT;
    } else {
        in->pos = off;
    }
done:
    if (in)
        file_put(in);
    if (out)
        file_put(out);
    return r;
}

/* sendfile(out_fd, in_fd, offset*, count) */
SYS(sendfile)
{
    if (a3 < 0)
        return -EINVAL;
    return sendfile_like((int)a0, (int)a1, a2, (size_t)a3);
}

/* copy_file_range(fd_in, off_in*, fd_out, off_out*, len, flags) */
SYS(copy_file_range)
{
    if (a5 != 0 || a4 < 0)
        return -EINVAL;
    if (a3)
        return -EOPNOTSUPP; /* output offsets: not needed by Go */
    struct file *out = fd_get((int)a2), *in = fd_get((int)a0);
    long r = 0;
    if (!out || !in)
        r = -EBADF;
    else if (!file_is_regular(out) || !file_is_regular(in))
        r = -EINVAL;
    else if (in->node == out->node)
        r = -EINVAL; /* Linux refuses copying a file onto itself */
    if (out)
        file_put(out);
    if (in)
        file_put(in);
    return r ? r : sendfile_like((int)a2, (int)a0, a1, (size_t)a4);
}

/* Advisory locks: one process, so a lock never conflicts. */
SYS(flock)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    file_put(f);
    return (a1 & ~(1 | 2 | 4 | 8)) ? -EINVAL : 0;
}

SYS(fadvise64)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = f->node ? 0 : -ESPIPE;
    file_put(f);
    return (a3 < 0 || a3 > 5) ? -EINVAL : r;
}

/* splice, tee and vmsplice: not supported.  EINVAL (not ENOSYS) is what
 * Linux says for file types it cannot splice, and makes Go and others fall
 * back to read and write. */
SYS(splice)
{
    return -EINVAL;
}
