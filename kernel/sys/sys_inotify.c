/*
 * sys/sys_inotify.c — inotify_init, inotify_init1, inotify_add_watch and
 * inotify_rm_watch (man 2 of each).  fs/inotify.c is the instance.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

/* ALL_INOTIFY_BITS: a mask with none of them asks for nothing known. */
#define IN_KNOWN 0xf7007fffu

SYS(inotify_init1)
{
    struct file *f;
    if (a0 & ~(O_NONBLOCK | O_CLOEXEC))
        return -EINVAL;
    long r = inotify_create((unsigned)a0, &f);
    return r ? r : fd_install_new(f, a0 & O_CLOEXEC);
}

SYS(inotify_init)
{
    return sys_inotify_init1(0, a1, a2, a3, a4, a5);
}

/* The node to watch: path rules of inotify_find_inode (IN_ONLYDIR is
 * ENOTDIR for anything but a directory). */
static long watch_target(uint64_t upath, uint32_t mask, struct node **out)
{
    long err;
    char *path = path_from_user(upath, &err);
    if (!path)
        return err;
    err = path_resolve(AT_FDCWD, path, !(mask & IN_DONT_FOLLOW), out);
    kfree(path);
    if (!err && (mask & IN_ONLYDIR) && !S_ISDIR((*out)->mode)) {
        node_put(*out);
        err = -ENOTDIR;
    }
    return err;
}

/* inotify_add_watch(fd, path, mask) */
SYS(inotify_add_watch)
{
    uint32_t mask = (uint32_t)a2;
    if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
        return -EINVAL;
    if (!(mask & IN_KNOWN))
        return -EINVAL;
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    struct node *n;
    long r = file_is_inotify(f) ? watch_target(a1, mask, &n) : -EINVAL;
    if (!r) {
        r = inotify_add_watch(f, n, mask);
        node_put(n);
    }
    file_put(f);
    return r;
}

SYS(inotify_rm_watch)
{
    struct file *f = fd_get((int)a0);
    if (!f)
        return -EBADF;
    long r = inotify_rm_watch(f, (int)a1);
    file_put(f);
    return r;
}
