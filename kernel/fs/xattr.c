/*
 * fs/xattr.c — extended attributes on the file tree's nodes, with the rules
 * of Linux's tmpfs (man 7 xattr, mm/shmem.c): the user., trusted. and
 * security. namespaces are stored (the program is root, so trusted. is
 * allowed); system. is EOPNOTSUPP, as on a tmpfs built without POSIX ACLs,
 * and so is any other prefix.  user. attributes exist only on regular files
 * and directories: elsewhere setting one is EPERM and reading one ENODATA.
 * /proc nodes (node->pseudo) have none: EOPNOTSUPP, and an empty list.
 * All the names and values together may use at most XATTR_TOTAL_MAX bytes.
 */
#include "fs/mount.h"
#include "mm/mm.h"

#define XATTR_TOTAL_MAX (4UL << 20)

struct xattr {
    struct xattr *next;
    size_t len; /* of the value */
    uint8_t *value;
    char name[]; /* NUL-terminated */
};

static struct {
    size_t bytes; /* names and values stored, against XATTR_TOTAL_MAX */
} xa;

static size_t cost(size_t name_len, size_t value_len)
{
    return sizeof(struct xattr) + name_len + 1 + value_len;
}

/* The namespace check of fs/xattr.c's xattr_resolve_name: 0, -EOPNOTSUPP
 * for an unknown or unsupported prefix, -EINVAL for a prefix alone. */
static int check_name(const char *name, bool *user)
{
    static const char *const stored[] = {"user.", "trusted.", "security."};
    *user = false;
    for (unsigned i = 0; i < ARRAY_SIZE(stored); i++) {
        size_t pl = strlen(stored[i]);
        if (strncmp(name, stored[i], pl))
            continue;
        *user = i == 0;
        return name[pl] ? 0 : -EINVAL;
    }
    return -EOPNOTSUPP;
}

/* Checks n (NULL: a file outside the tree, such as a pipe) may hold name;
 * write: set or remove, which may not on what user. does not apply to. */
static int check_access(struct node *n, const char *name, bool write)
{
    bool user;
    if (n && n->pseudo)
        return -EOPNOTSUPP;
    /* A mount's files hold none here (the 9p backend does not pass
     * attributes on); changing one on a read-only mount is EROFS. */
    if (n && n->mnt)
        return write && n->mnt->ro ? -EROFS : -EOPNOTSUPP;
    int err = check_name(name, &user);
    if (err)
        return err;
    if (user && (!n || !(S_ISREG(n->mode) || S_ISDIR(n->mode))))
        return write ? -EPERM : -ENODATA;
    return n ? 0 : -EOPNOTSUPP;
}

static struct xattr **find(struct node *n, const char *name)
{
    struct xattr **p = &n->xattrs;
    while (*p && strcmp((*p)->name, name))
        p = &(*p)->next;
    return p;
}

long xattr_get(struct node *n, const char *name, uint64_t uvalue, size_t size)
{
    int err = check_access(n, name, false);
    if (err)
        return err;
    struct xattr *x = *find(n, name);
    if (!x)
        return -ENODATA;
    if (size == 0)
        return x->len;
    if (size < x->len)
        return -ERANGE;
    return copy_to_user(uvalue, x->value, x->len) ? -EFAULT : (long)x->len;
}

long xattr_set(struct node *n, const char *name, const void *value, size_t len,
               int flags)
{
    int err = check_access(n, name, true);
    if (err)
        return err;
    struct xattr **p = find(n, name), *old = *p;
    if (old && (flags & XATTR_CREATE))
        return -EEXIST;
    if (!old && (flags & XATTR_REPLACE))
        return -ENODATA;
    size_t nl = strlen(name), freed = old ? cost(nl, old->len) : 0;
    if (xa.bytes - freed + cost(nl, len) > XATTR_TOTAL_MAX)
        return -ENOSPC;
    struct xattr *x = kmalloc(sizeof(*x) + nl + 1);
    uint8_t *v = len ? kmalloc(len) : NULL;
    if (!x || (len && !v)) {
        kfree(x);
        kfree(v);
        return -ENOSPC;
    }
    memcpy(x->name, name, nl + 1);
    if (len)
        memcpy(v, value, len);
    x->value = v;
    x->len = len;
    x->next = old ? old->next : NULL;
    *p = x;
    if (old) {
        kfree(old->value);
        kfree(old);
    }
    xa.bytes = xa.bytes - freed + cost(nl, len);
    node_touch(n, false);
    return 0;
}

long xattr_remove(struct node *n, const char *name)
{
    int err = check_access(n, name, true);
    if (err)
        return err;
    struct xattr **p = find(n, name), *x = *p;
    if (!x)
        return -ENODATA;
    *p = x->next;
    xa.bytes -= cost(strlen(x->name), x->len);
    kfree(x->value);
    kfree(x);
    node_touch(n, false);
    return 0;
}

long xattr_list(struct node *n, uint64_t ulist, size_t size)
{
    size_t total = 0;
    for (struct xattr *x = n ? n->xattrs : NULL; x; x = x->next)
        total += strlen(x->name) + 1;
    if (size == 0 || total == 0)
        return total;
    if (size < total)
        return -ERANGE;
    size_t off = 0;
    for (struct xattr *x = n->xattrs; x; x = x->next) {
        size_t l = strlen(x->name) + 1;
        if (copy_to_user(ulist + off, x->name, l))
            return -EFAULT;
        off += l;
    }
    return total;
}

void xattr_free(struct node *n)
{
    while (n->xattrs) {
        struct xattr *x = n->xattrs;
        n->xattrs = x->next;
        xa.bytes -= cost(strlen(x->name), x->len);
        kfree(x->value);
        kfree(x);
    }
}
