/*
 * sys/sys_xattr.c — the extended-attribute calls (man 2 getxattr,
 * setxattr, listxattr, removexattr) in their three forms: by path
 * following symbolic links, by path not following them (l*), and by file
 * descriptor (f*).  The arguments are checked in Linux's order (flags,
 * name, size, then the file); fs/xattr.c keeps the attributes.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

enum by { BY_PATH, BY_LINK, BY_FD };

/* import_xattr_name: an empty or over-long name is ERANGE. */
static long name_from_user(char name[XATTR_NAME_MAX + 1], uint64_t uname)
{
    long r = strncpy_from_user(name, uname, XATTR_NAME_MAX + 1);
    if (r == -EFAULT)
        return r;
    return r <= 0 ? -ERANGE : 0;
}

/* The node named by a path or an fd (a reference), or NULL for an open
 * file outside the tree.  An O_PATH fd is EBADF, as fdget() skips it. */
static long target(enum by by, long arg, struct node **out)
{
    long err;
    *out = NULL;
    if (by == BY_FD) {
        struct file *f = fd_get((int)arg);
        if (!f)
            return -EBADF;
        err = (f->flags & O_PATH) ? -EBADF : 0;
        if (!err && f->node) {
            *out = f->node;
            node_get(*out);
        }
        file_put(f);
        return err;
    }
    char *path = path_from_user((uint64_t)arg, &err);
    if (!path)
        return err;
    err = path_resolve(AT_FDCWD, path, by == BY_PATH, out);
    kfree(path);
    return err;
}

static void done(struct node *n, long err)
{
    if (n && !err)
        inotify_node(n, IN_ATTRIB, NULL); /* fsnotify_xattr */
    if (n)
        node_put(n);
}

/* (file, name, value, size, flags) */
static long do_setxattr(enum by by, SYSCALL_ARGS)
{
    char name[XATTR_NAME_MAX + 1];
    struct node *n;
    (void)a5;
    if (a4 & ~(XATTR_CREATE | XATTR_REPLACE))
        return -EINVAL;
    long err = name_from_user(name, a1);
    if (err)
        return err;
    if ((uint64_t)a3 > XATTR_SIZE_MAX)
        return -E2BIG;
    void *value = a3 ? kmalloc(a3) : NULL;
    if (a3 && !value)
        return -ENOMEM;
    err = a3 ? copy_from_user(value, a2, a3) : 0;
    if (!err)
        err = target(by, a0, &n);
    if (!err) {
        err = xattr_set(n, name, value, a3, (int)a4);
        done(n, err);
    }
    kfree(value);
    return err;
}

/* (file, name, value, size) */
static long do_getxattr(enum by by, long file, uint64_t uname, uint64_t uvalue,
                        size_t size)
{
    char name[XATTR_NAME_MAX + 1];
    struct node *n;
    long err = name_from_user(name, uname);
    if (!err)
        err = target(by, file, &n);
    if (err)
        return err;
    err = xattr_get(n, name, uvalue, MIN(size, (size_t)XATTR_SIZE_MAX));
    if (n)
        node_put(n);
    return err;
}

/* (file, list, size): a list that cannot fit 64 KiB is E2BIG. */
static long do_listxattr(enum by by, long file, uint64_t ulist, size_t size)
{
    struct node *n;
    long err = target(by, file, &n);
    if (err)
        return err;
    size = MIN(size, (size_t)XATTR_SIZE_MAX);
    err = xattr_list(n, ulist, size);
    if (err == -ERANGE && size == XATTR_SIZE_MAX)
        err = -E2BIG;
    if (n)
        node_put(n);
    return err;
}

/* (file, name) */
static long do_removexattr(enum by by, long file, uint64_t uname)
{
    char name[XATTR_NAME_MAX + 1];
    struct node *n;
    long err = name_from_user(name, uname);
    if (!err)
        err = target(by, file, &n);
    if (err)
        return err;
    err = xattr_remove(n, name);
    done(n, err);
    return err;
}

SYS(setxattr)
{
    return do_setxattr(BY_PATH, a0, a1, a2, a3, a4, a5);
}

SYS(lsetxattr)
{
    return do_setxattr(BY_LINK, a0, a1, a2, a3, a4, a5);
}

SYS(fsetxattr)
{
    return do_setxattr(BY_FD, a0, a1, a2, a3, a4, a5);
}

SYS(getxattr)
{
    return do_getxattr(BY_PATH, a0, a1, a2, a3);
}

SYS(lgetxattr)
{
    return do_getxattr(BY_LINK, a0, a1, a2, a3);
}

SYS(fgetxattr)
{
    return do_getxattr(BY_FD, a0, a1, a2, a3);
}

SYS(listxattr)
{
    return do_listxattr(BY_PATH, a0, a1, a2);
}

SYS(llistxattr)
{
    return do_listxattr(BY_LINK, a0, a1, a2);
}

SYS(flistxattr)
{
    return do_listxattr(BY_FD, a0, a1, a2);
}

SYS(removexattr)
{
    return do_removexattr(BY_PATH, a0, a1);
}

SYS(lremovexattr)
{
    return do_removexattr(BY_LINK, a0, a1);
}

SYS(fremovexattr)
{
    return do_removexattr(BY_FD, a0, a1);
}
