/*
 * fs/path.c — path resolution (namei): absolute or relative to the working
 * directory or a directory fd, ".", "..", symbolic links (at most 40 on
 * one walk: ELOOP), trailing slashes, and the limits PATH_MAX and NAME_MAX
 * (ENAMETOOLONG).  The caller owns every node reference it gets back.
 * Also the fs context (struct fs_ctx: working directory and umask) of a
 * process, which the threads share and clone without CLONE_FS will copy;
 * the calls act on the one installed on the calling CPU, as fd tables do
 * (fs/file.c).
 */
#include "fs/mount.h"
#include "mm/mm.h"

#define MAX_LINKS 40

struct fs_ctx {
    int refs;         /* processes sharing it (CLONE_FS) */
    struct node *cwd; /* a reference; NULL: the root */
    unsigned umask;
};

static struct fs_ctx fs0 = {.refs = 1, .umask = 022}; /* the boot's */

struct fs_ctx *fs_ctx_current(void)
{
    struct fs_ctx *c = this_cpu()->fs;
    return c ? c : &fs0;
}

void fs_ctx_install(struct fs_ctx *c)
{
    this_cpu()->fs = c;
}

struct fs_ctx *fs_ctx_copy(const struct fs_ctx *from)
{
    struct fs_ctx *c = kmalloc(sizeof(*c));
    if (!c)
        return NULL;
    *c = *from;
    c->refs = 1;
    if (c->cwd)
        node_get(c->cwd);
    return c;
}

struct fs_ctx *fs_ctx_share(struct fs_ctx *c)
{
    c->refs++;
    return c;
}

void fs_ctx_put(struct fs_ctx *c)
{
    assert(c->refs > 0);
    if (--c->refs)
        return;
    assert(c != fs_ctx_current());
    if (c->cwd)
        node_put(c->cwd);
    if (c != &fs0)
        kfree(c);
}

unsigned *fs_ctx_umask(void)
{
    return &fs_ctx_current()->umask;
}

struct node *fs_ctx_cwd(const struct fs_ctx *c)
{
    return c->cwd ? c->cwd : node_root();
}

unsigned fs_ctx_mask(const struct fs_ctx *c)
{
    return c->umask;
}

struct node *cwd_node(void)
{
    return fs_ctx_cwd(fs_ctx_current());
}

int cwd_set(struct node *dir)
{
    struct fs_ctx *c = fs_ctx_current();
    if (!S_ISDIR(dir->mode))
        return -ENOTDIR;
    node_get(dir);
    if (c->cwd)
        node_put(c->cwd);
    c->cwd = dir;
    return 0;
}

char *path_from_user(uint64_t upath, long *err)
{
    char *buf = kmalloc(PATH_MAX);
    if (!buf) {
        *err = -ENOMEM;
        return NULL;
    }
    long n = strncpy_from_user(buf, upath, PATH_MAX);
    if (n <= 0) {
        *err = n ? n : -ENOENT;
        kfree(buf);
        return NULL;
    }
    *err = 0;
    return buf;
}

long path_resolve_user(int dirfd, uint64_t upath, int flags, struct node **out)
{
    long err;
    char *path = path_from_user(upath, &err);
    if (!path) {
        if (err == -ENOENT && (flags & AT_EMPTY_PATH)) {
            if (dirfd == AT_FDCWD) {
                *out = cwd_node();
                node_get(*out);
                return 0;
            }
            struct file *f = fd_get(dirfd);
            if (!f)
                return -EBADF;
            *out = f->node;
            if (*out)
                node_get(*out);
            file_put(f);
            return *out ? 0 : -EBADF;
        }
        return err;
    }
    err = path_resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), out);
    kfree(path);
    return err;
}

/* The directory a relative path starts from: a reference. */
static int start_dir(int dirfd, const char *path, struct node **out)
{
    if (path[0] == '/' || dirfd == AT_FDCWD) {
        *out = path[0] == '/' ? node_root() : cwd_node();
        node_get(*out);
        return 0;
    }
    struct file *f = fd_get(dirfd);
    if (!f)
        return -EBADF;
    struct node *n = f->node;
    if (n)
        node_get(n);
    file_put(f);
    if (!n || !S_ISDIR(n->mode)) {
        if (n)
            node_put(n);
        return -ENOTDIR;
    }
    *out = n;
    return 0;
}

static int walk(struct node *dir, const char *path, size_t plen, bool follow,
                int *links, struct node **out);

/* The entry name[0..len) of dir ("." and ".." too), a reference, with a
 * file system mounted on it crossed into: 0, -ENOENT, or a mount's
 * error. */
static int child(struct node *dir, const char *name, size_t len,
                 struct node **out)
{
    struct node *c;
    bool held = false; /* mount_lookup's comes with a reference */
    if (len == 1 && name[0] == '.') {
        c = dir;
    } else if (len == 2 && name[0] == '.' && name[1] == '.') {
        c = dir->parent; /* a mount's root: the covered one's parent */
    } else if (dir->mnt) {
        int err = mount_lookup(dir, name, len, &c);
        if (err)
            return err;
        held = true;
    } else {
        if (dir->refresh)
            dir->refresh(dir);
        c = dir_lookup(dir, name, len);
        if (!c)
            return -ENOENT;
    }
    if (!held)
        node_get(c);
    struct node *x = mount_cross(c);
    if (x != c) {
        node_get(x);
        node_put(c);
    }
    *out = x;
    return 0;
}

/* The target of a symbolic link, resolved from the directory holding it. */
static int follow_link(struct node *dir, struct node *link, int *links,
                       struct node **out)
{
    if (++*links > MAX_LINKS)
        return -ELOOP;
    if (link->link)
        return walk(dir, link->link, strlen(link->link), true, links, out);
    struct seq s = {.node = link};
    link->dyn_link(&s);
    int r = s.failed || !s.buf ? -ENOENT
                               : walk(dir, s.buf, s.len, true, links, out);
    kfree(s.buf);
    return r;
}

/* Walks path[0..plen) from dir (which the caller keeps a reference to). */
static int walk(struct node *dir, const char *path, size_t plen, bool follow,
                int *links, struct node **out)
{
    struct node *cur = plen && path[0] == '/' ? node_root() : dir;
    node_get(cur);
    const char *p = path, *end = path + plen;
    for (;;) {
        while (p < end && *p == '/')
            p++;
        if (p == end)
            break;
        const char *name = p;
        while (p < end && *p != '/')
            p++;
        size_t len = p - name;
        const char *rest = p;
        while (rest < end && *rest == '/')
            rest++;
        bool last = rest == end, slash = last && p < end;
        if (len > NAME_MAX) {
            node_put(cur);
            return -ENAMETOOLONG;
        }
        if (!S_ISDIR(cur->mode)) {
            node_put(cur);
            return -ENOTDIR;
        }
        if (len == 1 && name[0] == '.')
            continue;
        struct node *next;
        int err = child(cur, name, len, &next);
        if (err) {
            node_put(cur);
            return err;
        }
        if (S_ISLNK(next->mode) && (!last || follow || slash)) {
            struct node *target;
            int r = follow_link(cur, next, links, &target);
            node_put(next);
            node_put(cur);
            if (r)
                return r;
            cur = target;
        } else {
            node_put(cur);
            cur = next;
        }
        if (slash && !S_ISDIR(cur->mode)) {
            node_put(cur);
            return -ENOTDIR;
        }
    }
    *out = cur;
    return 0;
}

int path_resolve(int dirfd, const char *path, bool follow, struct node **out)
{
    struct node *dir;
    int links = 0;
    if (!*path)
        return -ENOENT;
    int r = start_dir(dirfd, path, &dir);
    if (r)
        return r;
    r = walk(dir, path, strlen(path), follow, &links, out);
    node_put(dir);
    return r;
}

/* path_parent's walk from base (the caller keeps its reference), counting
 * the links it follows into *links. */
static int parent_walk(struct node *base, const char *path, int *links,
                       struct lookup *lk)
{
    memset(lk, 0, sizeof(*lk));
    if (!*path)
        return -ENOENT;
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/') {
        end--;
        lk->trailing_slash = true;
    }
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    lk->name = path + start;
    lk->len = end - start;
    if (lk->len > NAME_MAX)
        return -ENAMETOOLONG;

    /* The directory part: "" (relative) or up to and including a '/'. */
    int r = 0;
    if (start == 0) {
        lk->parent = base;
        node_get(base);
    } else {
        r = walk(base, path, start, true, links, &lk->parent);
    }
    if (r)
        return r;
    if (!S_ISDIR(lk->parent->mode)) {
        lookup_done(lk);
        return -ENOTDIR;
    }
    if (lk->len == 0) { /* the path was "/" */
        lk->node = lk->parent;
        node_get(lk->node);
        return 0;
    }
    r = child(lk->parent, lk->name, lk->len, &lk->node);
    if (r == -ENOENT)
        r = 0, lk->node = NULL;
    if (r)
        lookup_done(lk);
    return r;
}

int path_parent(int dirfd, const char *path, struct lookup *lk)
{
    struct node *base;
    int links = 0;
    memset(lk, 0, sizeof(*lk));
    if (!*path)
        return -ENOENT;
    int r = start_dir(dirfd, path, &base);
    if (r)
        return r;
    r = parent_walk(base, path, &links, lk);
    node_put(base);
    return r;
}

int path_parent_link(struct lookup *lk, int *links)
{
    struct node *link = lk->node, *dir = lk->parent;
    if (!link || !S_ISLNK(link->mode) || !link->link)
        return -ENOENT;
    if (++*links > MAX_LINKS)
        return -ELOOP;
    /* The new lookup's name points into the link's text: it holds the
     * link until lookup_done. */
    struct lookup next;
    node_get(link);
    int r = parent_walk(dir, link->link, links, &next);
    lookup_done(lk);
    if (r) {
        node_put(link);
        return r;
    }
    next.held = link;
    *lk = next;
    return 0;
}

void lookup_done(struct lookup *lk)
{
    if (lk->node)
        node_put(lk->node);
    if (lk->parent)
        node_put(lk->parent);
    if (lk->held)
        node_put(lk->held);
    lk->node = lk->parent = lk->held = NULL;
}

/* The absolute path of lk's last component: its directory's path, then
 * its name (a directory's own path for ".", ".." and "/"). */
static int lookup_path(const struct lookup *lk, char *buf, size_t size)
{
    if (S_ISDIR(lk->node->mode))
        return node_dir_path(lk->node, buf, size) < 0 ? -ENAMETOOLONG : 0;
    long n = node_dir_path(lk->parent, buf, size);
    if (n < 0 || (size_t)n + lk->len + 2 > size)
        return -ENAMETOOLONG;
    if (n > 1)
        buf[n++] = '/';
    memcpy(buf + n, lk->name, lk->len);
    buf[n + lk->len] = '\0';
    return 0;
}

int path_real(const char *path, char *buf, size_t size)
{
    char *cur = kmalloc(PATH_MAX);
    if (!cur)
        return -ENOMEM;
    size_t len = strlen(path);
    int err = len < PATH_MAX ? 0 : -ENAMETOOLONG;
    memcpy(cur, path, MIN(len + 1, (size_t)PATH_MAX));
    for (int links = 0; !err; links++) {
        struct lookup lk;
        if ((err = path_parent(AT_FDCWD, cur, &lk)))
            break;
        struct node *n = lk.node;
        if (!n) {
            err = -ENOENT;
        } else if (!S_ISLNK(n->mode) || !n->link) {
            err = lookup_path(&lk, buf, size);
            lookup_done(&lk);
            break;
        } else if (links == MAX_LINKS) {
            err = -ELOOP;
        } else {
            /* Splice the target in place of the link's name. */
            size_t t = strlen(n->link);
            size_t at = n->link[0] == '/' ? 0 : (size_t)(lk.name - cur);
            if (at + t >= PATH_MAX)
                err = -ENAMETOOLONG;
            else
                memcpy(cur + at, n->link, t + 1);
        }
        lookup_done(&lk);
    }
    kfree(cur);
    return err;
}
