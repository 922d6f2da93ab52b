/*
 * sys/sys_path.c — system calls that name files by path: open, stat and
 * statx, mkdir, unlink and rmdir, rename, link, symlink, readlink, access,
 * chmod, chown, utimensat, chdir and getcwd, truncate, statfs.  The *at
 * forms are the real ones; the old names call them with AT_FDCWD.
 */
#include "sys/syscall.h"
#include "fs/mount.h"
#include "mm/mm.h"

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define TMPFS_MAGIC 0x01021994

static long do_open(int dirfd, uint64_t upath, long flags, long mode)
{
    long err;
    struct file *f;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    err = vfs_open(dirfd, path, (unsigned)flags, (uint32_t)mode, &f);
    kfree(path);
    return err ? err : fd_install_new(f, flags & O_CLOEXEC);
}

SYS(open)
{
    return do_open(AT_FDCWD, a0, a1, a2);
}

SYS(openat)
{
    return do_open((int)a0, a1, a2, a3);
}

SYS(creat)
{
    return do_open(AT_FDCWD, a0, O_CREAT | O_WRONLY | O_TRUNC, a1);
}

/* A file without a node (pipe, console...) has only fstat's answer. */
static long stat_fd_or_node(struct node *n, uint64_t ust)
{
    struct linux_stat st;
    node_stat(n, &st);
    return copy_to_user(ust, &st, sizeof(st));
}

/* Is the user string empty?  1 yes, 0 no, or -EFAULT. */
static long empty_path(uint64_t upath)
{
    char c;
    long r = strncpy_from_user(&c, upath, 1);
    return r == -EFAULT ? r : r == 0;
}

SYS(newfstatat)
{
    struct node *n;
    if (a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800))
        return -EINVAL;
    if (a3 & AT_EMPTY_PATH) {
        long e = empty_path(a1);
        if (e < 0)
            return e;
        if (e && a0 != AT_FDCWD)
            return sys_fstat(a0, a2, 0, 0, 0, 0);
    }
    long err = path_resolve_user((int)a0, a1, (int)a3, &n);
    if (err)
        return err;
    err = stat_fd_or_node(n, a2);
    node_put(n);
    return err;
}

SYS(stat)
{
    return sys_newfstatat(AT_FDCWD, a0, a1, 0, 0, 0);
}

SYS(lstat)
{
    return sys_newfstatat(AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW, 0, 0);
}

static struct linux_statx_timestamp stx_time(struct linux_timespec t)
{
    return (struct linux_statx_timestamp){t.tv_sec, (uint32_t)t.tv_nsec, 0};
}

/* statx(dirfd, path, flags, mask, buf) */
SYS(statx)
{
    struct linux_stat st;
    if (a2 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 | 0x6000))
        return -EINVAL;
    if ((uint64_t)a3 & 0x80000000u)
        return -EINVAL; /* STATX__RESERVED */
    long e = (a2 & AT_EMPTY_PATH) ? empty_path(a1) : 0;
    if (e < 0)
        return e;
    if (e) {
        if (a0 == AT_FDCWD) {
            node_stat(cwd_node(), &st);
        } else {
            struct file *f = fd_get((int)a0);
            if (!f)
                return -EBADF;
            memset(&st, 0, sizeof(st));
            st.st_nlink = 1;
            f->ops->stat(f, &st);
            file_put(f);
        }
    } else {
        struct node *n;
        long err =
            path_resolve_user((int)a0, a1, (int)a2 & AT_SYMLINK_NOFOLLOW, &n);
        if (err)
            return err;
        node_stat(n, &st);
        node_put(n);
    }
    struct linux_statx x;
    memset(&x, 0, sizeof(x));
    x.stx_mask = 0x7ff; /* STATX_BASIC_STATS */
    x.stx_blksize = (uint32_t)st.st_blksize;
    x.stx_nlink = (uint32_t)st.st_nlink;
    x.stx_uid = st.st_uid;
    x.stx_gid = st.st_gid;
    x.stx_mode = (uint16_t)st.st_mode;
    x.stx_ino = st.st_ino;
    x.stx_size = (uint64_t)st.st_size;
    x.stx_blocks = (uint64_t)st.st_blocks;
    x.stx_atime = stx_time(st.st_atim);
    x.stx_mtime = stx_time(st.st_mtim);
    x.stx_ctime = stx_time(st.st_ctim);
    x.stx_rdev_major = (uint32_t)(st.st_rdev >> 8);
    x.stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff);
    x.stx_dev_minor = (uint32_t)st.st_dev;
    return copy_to_user(a4, &x, sizeof(x));
}

/* Runs fn on the parent lookup of a user path. */
static long with_parent(int dirfd, uint64_t upath,
                        long (*fn)(struct lookup *, long), long arg)
{
    long err;
    struct lookup lk;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    err = path_parent(dirfd, path, &lk);
    if (!err)
        err = fn(&lk, arg);
    lookup_done(&lk);
    kfree(path);
    return err;
}

static bool dot_or_dotdot(const struct lookup *lk)
{
    return lk->len == 0 || (lk->len == 1 && lk->name[0] == '.') ||
           (lk->len == 2 && lk->name[0] == '.' && lk->name[1] == '.');
}

/* Links the new node n (whose reference it takes) as the lookup's name. */
static long link_new(struct lookup *lk, struct node *n)
{
    long err = dir_link(lk->parent, lk->name, lk->len, n);
    if (!err)
        inotify_entry(lk->parent, lk->name, lk->len, IN_CREATE, 0, n);
    node_put(n);
    return err;
}

/* A mount's new entry made by make (mount_mkdir or mount_create). */
static long mount_new(struct lookup *lk, uint32_t mode,
                      int (*make)(struct node *, const char *, size_t, uint32_t,
                                  struct node **))
{
    struct node *n;
    long err = make(lk->parent, lk->name, lk->len, mode, &n);
    if (!err) {
        inotify_entry(lk->parent, lk->name, lk->len, IN_CREATE, 0, n);
        node_put(n);
    }
    return err;
}

static long mkdir_fn(struct lookup *lk, long mode)
{
    if (lk->node)
        return -EEXIST;
    if (lk->parent->mnt)
        return mount_new(lk, mode & 07777 & ~vfs_get_umask(), mount_mkdir);
    struct node *n = node_new(S_IFDIR | (mode & 07777 & ~vfs_get_umask()));
    if (!n)
        return -ENOSPC;
    return link_new(lk, n);
}

SYS(mkdirat)
{
    return with_parent((int)a0, a1, mkdir_fn, a2);
}

SYS(mkdir)
{
    return with_parent(AT_FDCWD, a0, mkdir_fn, a1);
}

/* mknod: FIFOs, regular files and (inert) socket nodes; no devices. */
static long mknod_fn(struct lookup *lk, long mode)
{
    uint32_t type = (uint32_t)mode & S_IFMT;
    if (type == 0)
        type = S_IFREG;
    if (type == S_IFCHR || type == 0060000)
        return -EPERM;
    if (type != S_IFIFO && type != S_IFREG && type != S_IFSOCK)
        return -EINVAL;
    if (lk->node)
        return -EEXIST;
    if (lk->parent->mnt)
        return mount_new(lk, type | (mode & 07777 & ~vfs_get_umask()),
                         mount_create);
    struct node *n = node_new(type | (mode & 07777 & ~vfs_get_umask()));
    if (!n)
        return -ENOSPC;
    return link_new(lk, n);
}

SYS(mknodat)
{
    return with_parent((int)a0, a1, mknod_fn, a2);
}

SYS(mknod)
{
    return with_parent(AT_FDCWD, a0, mknod_fn, a1);
}

static long unlink_fn(struct lookup *lk, long flags)
{
    if (flags & AT_REMOVEDIR) {
        if (lk->len == 1 && lk->name[0] == '.')
            return -EINVAL;
        if (dot_or_dotdot(lk))
            return lk->len == 0 ? -EBUSY : -ENOTEMPTY;
        if (!lk->node)
            return -ENOENT;
        if (!S_ISDIR(lk->node->mode))
            return -ENOTDIR;
        if (!dir_empty(lk->node))
            return -ENOTEMPTY;
    } else {
        if (!lk->node)
            return -ENOENT;
        if (S_ISDIR(lk->node->mode))
            return -EISDIR;
        if (lk->trailing_slash)
            return -ENOTDIR;
    }
    if ((lk->parent == node_root() && lk->len == 4 &&
         !memcmp(lk->name, "proc", 4)) ||
        mount_is_root(lk->node))
        return -EBUSY;
    struct node *n = lk->node;
    long err = lk->parent->mnt ? mount_unlink(lk->parent, lk->name, lk->len, n)
                               : dir_unlink(lk->parent, lk->name, lk->len);
    if (err)
        return err;
    /* vfs_unlink's order: the link count, the node's end if this lookup
     * held it last (d_delete), then the directory's IN_DELETE. */
    if (!S_ISDIR(n->mode))
        inotify_self(n, IN_ATTRIB);
    inotify_unlinked(n, 1);
    inotify_entry(lk->parent, lk->name, lk->len, IN_DELETE, 0, n);
    return 0;
}

SYS(unlinkat)
{
    if (a2 & ~AT_REMOVEDIR)
        return -EINVAL;
    return with_parent((int)a0, a1, unlink_fn, a2);
}

SYS(unlink)
{
    return with_parent(AT_FDCWD, a0, unlink_fn, 0);
}

SYS(rmdir)
{
    return with_parent(AT_FDCWD, a0, unlink_fn, AT_REMOVEDIR);
}

/* Is a inside the tree rooted at dir (or dir itself)? */
static bool within(struct node *a, struct node *dir)
{
    /* Bounded: a shared host directory bind-mounted inside itself
     * could make a loop of parents. */
    for (int depth = 0; depth < PATH_MAX / 2; depth++) {
        if (a == dir)
            return true;
        if (a == node_root() || a->parent == a)
            return false;
        a = a->parent;
    }
    return true; /* a loop: refuse the move (EINVAL) */
}

/* fsnotify_move's events, for each node that moved. */
static void move_events(struct lookup *from, struct lookup *to, struct node *n)
{
    uint32_t cookie = inotify_cookie();
    inotify_entry(from->parent, from->name, from->len, IN_MOVED_FROM, cookie,
                  n);
    inotify_entry(to->parent, to->name, to->len, IN_MOVED_TO, cookie, n);
}

static void rename_events(struct lookup *from, struct lookup *to, long flags)
{
    move_events(from, to, from->node);
    if (to->node && !(flags & RENAME_EXCHANGE))
        inotify_self(to->node, IN_ATTRIB); /* its link count */
    inotify_self(from->node, IN_MOVE_SELF);
    if (flags & RENAME_EXCHANGE) {
        move_events(to, from, to->node);
        inotify_self(to->node, IN_MOVE_SELF);
    }
}

/* rename on a mount: RENAME_EXCHANGE is not offered (EINVAL, as
 * Linux's 9p gives for any flag); RENAME_NOREPLACE was checked. */
static long mount_rename_fn(struct lookup *from, struct lookup *to, long flags)
{
    if (flags & RENAME_EXCHANGE)
        return -EINVAL;
    long err = mount_rename(from->parent, from->name, from->len, to->parent,
                            to->name, to->len, from->node, to->node);
    if (!err)
        rename_events(from, to, flags);
    return err;
}

static long do_rename(struct lookup *from, struct lookup *to, long flags)
{
    struct node *n = from->node, *t = to->node;
    if (dot_or_dotdot(from) || dot_or_dotdot(to))
        return -EBUSY;
    if (!n)
        return -ENOENT;
    if ((flags & RENAME_EXCHANGE) && !t)
        return -ENOENT;
    if ((flags & RENAME_NOREPLACE) && t)
        return -EEXIST;
    if (mount_is_root(n) || (t && mount_is_root(t)))
        return -EBUSY;
    if (from->parent->mnt != to->parent->mnt)
        return -EXDEV;
    if (n == t)
        return 0;
    if (S_ISDIR(n->mode) && within(to->parent, n))
        return -EINVAL;
    if (t && S_ISDIR(t->mode) && within(from->parent, t) &&
        (flags & RENAME_EXCHANGE))
        return -EINVAL;
    if (t && !(flags & RENAME_EXCHANGE)) {
        if (S_ISDIR(n->mode) && !S_ISDIR(t->mode))
            return -ENOTDIR;
        if (!S_ISDIR(n->mode) && S_ISDIR(t->mode))
            return -EISDIR;
        if (S_ISDIR(t->mode) && !dir_empty(t))
            return -ENOTEMPTY;
    }
    if (!S_ISDIR(n->mode) && (from->trailing_slash || to->trailing_slash))
        return -ENOTDIR;
    if (from->parent->mnt)
        return mount_rename_fn(from, to, flags);

    /* Link the new names first so nothing is freed in between. */
    node_get(n);
    if (t)
        node_get(t);
    dir_unlink(from->parent, from->name, from->len);
    if (t)
        dir_unlink(to->parent, to->name, to->len);
    long err = dir_link(to->parent, to->name, to->len, n);
    if (!err && (flags & RENAME_EXCHANGE))
        err = dir_link(from->parent, from->name, from->len, t);
    if (!err)
        rename_events(from, to, flags);
    node_put(n);
    if (t)
        node_put(t);
    return err;
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags) */
SYS(renameat2)
{
    long err;
    if (a4 & ~(RENAME_NOREPLACE | RENAME_EXCHANGE) ||
        (a4 & RENAME_NOREPLACE && a4 & RENAME_EXCHANGE))
        return -EINVAL;
    char *p1 = path_from_user(a1, &err);
    if (!p1)
        return err;
    char *p2 = path_from_user(a3, &err);
    if (!p2) {
        kfree(p1);
        return err;
    }
    struct lookup from, to;
    err = path_parent((int)a0, p1, &from);
    if (!err) {
        err = path_parent((int)a2, p2, &to);
        if (!err)
            err = do_rename(&from, &to, a4);
        lookup_done(&to);
    }
    lookup_done(&from);
    kfree(p1);
    kfree(p2);
    return err;
}

SYS(renameat)
{
    return sys_renameat2(a0, a1, a2, a3, 0, 0);
}

SYS(rename)
{
    return sys_renameat2(AT_FDCWD, a0, AT_FDCWD, a1, 0, 0);
}

static long link_fn(struct lookup *lk, long target)
{
    struct node *n = (struct node *)target;
    if (lk->node)
        return -EEXIST;
    if (lk->trailing_slash)
        return -ENOENT;
    if (n->mnt != lk->parent->mnt)
        return -EXDEV;
    long err = lk->parent->mnt ? mount_link(n, lk->parent, lk->name, lk->len)
                               : dir_link(lk->parent, lk->name, lk->len, n);
    if (!err) {
        inotify_self(n, IN_ATTRIB); /* its link count */
        inotify_entry(lk->parent, lk->name, lk->len, IN_CREATE, 0, n);
    }
    return err;
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, flags) */
SYS(linkat)
{
    struct node *n;
    if (a4 & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long err =
        path_resolve_user((int)a0, a1,
                          ((a4 & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) |
                              ((int)a4 & AT_EMPTY_PATH),
                          &n);
    if (err)
        return err;
    err =
        S_ISDIR(n->mode) ? -EPERM : with_parent((int)a2, a3, link_fn, (long)n);
    node_put(n);
    return err;
}

SYS(link)
{
    return sys_linkat(AT_FDCWD, a0, AT_FDCWD, a1, 0, 0);
}

static long symlink_fn(struct lookup *lk, long target)
{
    const char *t = (const char *)target;
    if (lk->node)
        return -EEXIST;
    if (lk->parent->mnt) {
        struct node *n;
        long err = mount_symlink(lk->parent, lk->name, lk->len, t, &n);
        if (!err) {
            inotify_entry(lk->parent, lk->name, lk->len, IN_CREATE, 0, n);
            node_put(n);
        }
        return err;
    }
    struct node *n = node_new(S_IFLNK | 0777);
    size_t len = strlen(t);
    if (!n)
        return -ENOSPC;
    n->link = kmalloc(len + 1);
    long err = -ENOSPC;
    if (n->link) {
        memcpy(n->link, t, len + 1);
        n->size = len;
        return link_new(lk, n);
    }
    node_put(n);
    return err;
}

/* symlinkat(target, newdirfd, linkpath) */
SYS(symlinkat)
{
    long err;
    char *target = path_from_user(a0, &err);
    if (!target)
        return err;
    err = with_parent((int)a1, a2, symlink_fn, (long)target);
    kfree(target);
    return err;
}

SYS(symlink)
{
    return sys_symlinkat(a0, AT_FDCWD, a1, 0, 0, 0);
}

/* readlinkat(dirfd, path, buf, size) */
SYS(readlinkat)
{
    struct node *n;
    if (a3 <= 0)
        return -EINVAL;
    long err =
        path_resolve_user((int)a0, a1, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &n);
    if (err)
        return err;
    if (!S_ISLNK(n->mode)) {
        node_put(n);
        return -EINVAL;
    }
    struct seq s = {.node = n};
    if (n->link)
        seq_write(&s, n->link, strlen(n->link));
    else
        n->dyn_link(&s);
    node_put(n);
    if (s.failed) {
        kfree(s.buf);
        return -ENOMEM;
    }
    size_t c = MIN(s.len, (size_t)a3);
    err = copy_to_user(a2, s.buf, c) ? -EFAULT : (long)c;
    kfree(s.buf);
    return err;
}

SYS(readlink)
{
    return sys_readlinkat(AT_FDCWD, a0, a1, a2, 0, 0);
}

/* faccessat2(dirfd, path, mode, flags): the program is root, so only
 * existence matters, and X_OK needs some execute bit (or a directory). */
SYS(faccessat2)
{
    struct node *n;
    if (a2 & ~7 || a3 & ~(0x200 | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long err = path_resolve_user((int)a0, a1, (int)a3, &n);
    if (err)
        return err;
    if ((a2 & 1) && !S_ISDIR(n->mode) && !(n->mode & 0111))
        err = -EACCES;
    else if ((a2 & 2) && !S_ISLNK(n->mode))
        err = mount_check_rw(n); /* access(2): EROFS */
    node_put(n);
    return err;
}

SYS(faccessat)
{
    return sys_faccessat2(a0, a1, a2, 0, 0, 0);
}

SYS(access)
{
    return sys_faccessat2(AT_FDCWD, a0, a1, 0, 0, 0);
}

/* fchmodat2(dirfd, path, mode, flags) (Linux 6.6): fchmodat with the
 * flags the C library used to emulate.  A symbolic link's mode cannot
 * change: with AT_SYMLINK_NOFOLLOW on a link, EOPNOTSUPP. */
SYS(fchmodat2)
{
    struct node *n;
    if (a3 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long err = path_resolve_user((int)a0, a1, (int)a3, &n);
    if (err)
        return err;
    err = S_ISLNK(n->mode) ? -EOPNOTSUPP : vfs_chmod(n, (uint32_t)a2);
    node_put(n);
    return err;
}

SYS(fchmodat)
{
    struct node *n;
    long err = path_resolve_user((int)a0, a1, 0, &n);
    if (err)
        return err;
    err = vfs_chmod(n, (uint32_t)a2);
    node_put(n);
    return err;
}

SYS(chmod)
{
    return sys_fchmodat(AT_FDCWD, a0, a1, 0, 0, 0);
}

/* fchownat(dirfd, path, uid, gid, flags): recorded, -1 keeps. */
SYS(fchownat)
{
    struct node *n;
    if (a4 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    long err = path_resolve_user((int)a0, a1, (int)a4, &n);
    if (err)
        return err;
    err = vfs_chown(n, (uint32_t)a2, (uint32_t)a3);
    node_put(n);
    return err;
}

SYS(chown)
{
    return sys_fchownat(AT_FDCWD, a0, a1, a2, 0, 0);
}

SYS(lchown)
{
    return sys_fchownat(AT_FDCWD, a0, a1, a2, AT_SYMLINK_NOFOLLOW, 0);
}

static long set_time(struct linux_timespec *t, const struct linux_timespec *u)
{
    if (u->tv_nsec == UTIME_OMIT)
        return 0;
    if (u->tv_nsec == UTIME_NOW) {
        uint64_t ns = clock_real_ns();
        *t = time_ns_to_ts(ns);
        return 0;
    }
    if (u->tv_nsec < 0 || u->tv_nsec >= 1000000000)
        return -EINVAL;
    *t = *u;
    return 0;
}

/* Both times UTIME_OMIT change nothing (fs/utimes.c); otherwise ctime
 * moves, and fsnotify_change reports both times as IN_ATTRIB, one alone as
 * IN_ACCESS or IN_MODIFY. */
static void utimes_done(struct node *n, const struct linux_timespec ts[2])
{
    bool a = ts[0].tv_nsec != UTIME_OMIT, m = ts[1].tv_nsec != UTIME_OMIT;
    if (!a && !m)
        return;
    node_touch(n, false);
    inotify_node(n, a && m ? IN_ATTRIB : a ? IN_ACCESS : IN_MODIFY, NULL);
}

/* utimensat's change to a mount's file, through its backend. */
static long mount_utimes(struct node *n, const struct linux_timespec ts[2])
{
    struct fs_setattr sa = {.atime = ts[0], .mtime = ts[1]};
    static const unsigned set[2] = {FS_SET_ATIME, FS_SET_MTIME};
    static const unsigned now[2] = {FS_SET_ATIME_NOW, FS_SET_MTIME_NOW};
    for (int i = 0; i < 2; i++) {
        if (ts[i].tv_nsec == UTIME_OMIT)
            continue;
        if (ts[i].tv_nsec == UTIME_NOW)
            sa.mask |= now[i];
        else if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000)
            return -EINVAL;
        else
            sa.mask |= set[i];
    }
    if (!sa.mask)
        return mount_check_rw(n);
    return mount_setattr(n, &sa);
}

/* utimensat(dirfd, path, times[2], flags); path NULL is futimens. */
SYS(utimensat)
{
    struct linux_timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    struct node *n;
    long err;
    if (a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (a2 && copy_from_user(ts, a2, sizeof(ts)))
        return -EFAULT;
    if (!a1) {
        struct file *f = fd_get((int)a0);
        if (!f)
            return -EBADF;
        n = f->node;
        if (n)
            node_get(n);
        file_put(f);
        if (!n)
            return -EBADF;
    } else {
        err = path_resolve_user((int)a0, a1, (int)a3, &n);
        if (err)
            return err;
    }
    if (n->mnt)
        err = mount_utimes(n, ts);
    else if (!(err = set_time(&n->atime, &ts[0])))
        err = set_time(&n->mtime, &ts[1]);
    if (!err)
        utimes_done(n, ts);
    node_put(n);
    return err;
}

SYS(chdir)
{
    struct node *n;
    long err = path_resolve_user(AT_FDCWD, a0, 0, &n);
    if (err)
        return err;
    err = cwd_set(n);
    node_put(n);
    return err;
}

SYS(fchdir)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long err = f->node ? cwd_set(f->node) : -ENOTDIR;
    file_put(f);
    return err;
}

SYS(getcwd)
{
    char *buf = kmalloc(PATH_MAX);
    if (!buf)
        return -ENOMEM;
    long n = node_dir_path(cwd_node(), buf, PATH_MAX);
    if (n >= 0) {
        if ((size_t)a1 < (size_t)n + 1)
            n = -ERANGE;
        else if (copy_to_user(a0, buf, n + 1))
            n = -EFAULT;
        else
            n = n + 1;
    }
    kfree(buf);
    return n;
}

SYS(truncate)
{
    struct node *n;
    if (a1 < 0)
        return -EINVAL;
    long err = path_resolve_user(AT_FDCWD, a0, 0, &n);
    if (err)
        return err;
    err = S_ISDIR(n->mode)              ? -EISDIR
          : !S_ISREG(n->mode) || n->gen ? -EINVAL
                                        : node_truncate(n, (uint64_t)a1);
    if (!err)
        inotify_node(n, IN_MODIFY, NULL);
    node_put(n);
    return err;
}

long fs_statfs(struct node *n, uint64_t ubuf)
{
    struct linux_statfs sf;
    memset(&sf, 0, sizeof(sf));
    if (n && n->mnt) {
        int err = mount_statfs(n, &sf);
        return err ? err : copy_to_user(ubuf, &sf, sizeof(sf));
    }
    uint64_t limit = node_pages_limit(), used = node_pages_used();
    sf.f_type = TMPFS_MAGIC;
    sf.f_bsize = sf.f_frsize = PAGE_SIZE;
    sf.f_blocks = limit;
    sf.f_bfree = sf.f_bavail = limit > used ? limit - used : 0;
    sf.f_files = sf.f_ffree = 1 << 20;
    sf.f_namelen = NAME_MAX;
    sf.f_flags = 0x20; /* ST_RELATIME-ish flags are not reported */
    return copy_to_user(ubuf, &sf, sizeof(sf));
}

SYS(statfs)
{
    struct node *n;
    long err = path_resolve_user(AT_FDCWD, a0, 0, &n);
    if (err)
        return err;
    err = fs_statfs(n, a1);
    node_put(n);
    return err;
}
