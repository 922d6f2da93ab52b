/*
 * tests/unit/test_pathwalk.c — path resolution (kernel/fs/path.c, built
 * for the host over a file tree of the test's own): ".", "..", repeated
 * and trailing slashes, symbolic links absolute and relative, in the
 * middle and at the end, followed or not, dangling, looping, and chains
 * at and past Linux's 40 (checked natively), generated links, empty
 * paths, NAME_MAX and PATH_MAX, directory fds, path_parent's split, and
 * after every call each node's references back where they were.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fs/path.c"

#include "check.h"
#include "heap.c"
#include "kshim.c"
#include "uaccess.c"

/* --- the file tree ---------------------------------------------------- */

#define NNODES 200

static struct node nodes[NNODES];
static int nnodes;
static struct node *root;

static struct node *mknode(struct node *dir, const char *name, uint32_t mode)
{
    CHECK(nnodes < NNODES);
    struct node *n = &nodes[nnodes++];
    n->mode = mode;
    n->ino = nnodes;
    list_init(&n->children);
    if (!dir) {
        n->parent = n;
        return n;
    }
    size_t len = strlen(name);
    struct dirent *d = calloc(1, sizeof(*d) + len + 1);
    memcpy(d->name, name, len);
    d->len = len;
    d->node = n;
    list_add_tail(&dir->children, &d->link);
    if (S_ISDIR(mode))
        n->parent = dir;
    return n;
}

static struct node *mkdir_(struct node *dir, const char *name)
{
    return mknode(dir, name, S_IFDIR | 0755);
}

static struct node *mkfile(struct node *dir, const char *name)
{
    return mknode(dir, name, S_IFREG | 0644);
}

static struct node *mklink(struct node *dir, const char *name,
                           const char *target)
{
    struct node *n = mknode(dir, name, S_IFLNK | 0777);
    n->link = (char *)target;
    return n;
}

struct node *node_root(void)
{
    return root;
}

void node_get(struct node *n)
{
    n->refs++;
}

void node_put(struct node *n)
{
    CHECK(n->refs > 0);
    n->refs--;
}

struct node *dir_lookup(struct node *dir, const char *name, size_t len)
{
    CHECK(S_ISDIR(dir->mode) && dir->refs > 0);
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        if (d->len == len && !memcmp(d->name, name, len))
            return d->node;
    }
    return NULL;
}

/* No mounts here (tests/go/share9p crosses them in the guest). */
int mount_lookup(struct node *dir, const char *name, size_t len,
                 struct node **out)
{
    (void)dir, (void)name, (void)len, (void)out;
    CHECK(!"a lookup in a mount");
    return -ENOENT;
}

struct node *mount_cross(struct node *n)
{
    CHECK(!n->mounted);
    return n;
}

/* A directory's absolute path (fs/node.c's, for path_real): the names
 * from dir up to the root, each found in its parent's entries. */
long node_dir_path(struct node *dir, char *buf, size_t size)
{
    size_t len = 0;
    for (struct node *d = dir; d != root; d = d->parent) {
        struct dirent *self = NULL;
        list_for_each(l, &d->parent->children)
        {
            struct dirent *e = container_of(l, struct dirent, link);
            if (e->node == d)
                self = e;
        }
        if (!self)
            return -ENOENT;
        if (len + self->len + 2 > size)
            return -ERANGE;
        memmove(buf + self->len + 1, buf, len);
        buf[0] = '/';
        memcpy(buf + 1, self->name, self->len);
        len += self->len + 1;
    }
    if (!len)
        buf[len++] = '/';
    buf[len] = '\0';
    return (long)len;
}

/* --- fds: 3 a directory, 4 a file, nothing else ----------------------- */

static struct file dir_file, reg_file;
static int file_refs;

struct file *fd_get(int fd)
{
    struct file *f = fd == 3 ? &dir_file : fd == 4 ? &reg_file : NULL;
    if (f)
        file_refs++;
    return f;
}

void file_put(struct file *f)
{
    file_refs--;
}

/* /proc/self/cwd-like links: their target computed when followed. */
static bool dyn_fails;

static void dyn_target(struct seq *s)
{
    if (dyn_fails) {
        s->failed = true;
        return;
    }
    s->buf = kmalloc(8);
    memcpy(s->buf, "/a/b", 4); /* not NUL-terminated: len counts */
    s->len = 4;
}

/* --- checks ------------------------------------------------------------ */

static struct node *a, *b, *c, *file, *dyn;

/* Every node's references as they were before: the tree's own on the
 * root, the working directory's (path.c's fs_ctx_current()->cwd), no other. */
static bool refs_balanced(void)
{
    bool ok = file_refs == 0;
    for (int i = 0; i < nnodes; i++)
        ok &= nodes[i].refs ==
              (&nodes[i] == root) + (&nodes[i] == fs_ctx_current()->cwd);
    return ok;
}

/* path_resolve's result: the node, or NULL with the error in *err. */
static struct node *resolve_at(int dirfd, const char *path, bool follow,
                               int *err)
{
    struct node *n = NULL;
    *err = path_resolve(dirfd, path, follow, &n);
    if (*err)
        n = NULL;
    else
        node_put(n);
    CHECK(refs_balanced());
    return n;
}

#define IS(path, want) IS_AT(AT_FDCWD, path, true, want, 0)
#define FAILS(path, e) IS_AT(AT_FDCWD, path, true, NULL, e)
#define IS_AT(dirfd, path, follow, want, e)                                    \
    do {                                                                       \
        int err_;                                                              \
        struct node *got_ = resolve_at(dirfd, path, follow, &err_);            \
        if (got_ != (want) || err_ != (e)) {                                   \
            check_failed++;                                                    \
            fprintf(stderr, "%s:%d: \"%s\": node %ld error %d\n", __FILE__,    \
                    __LINE__, path, got_ ? (long)got_->ino : -1L, err_);       \
        } else {                                                               \
            check_passed++;                                                    \
        }                                                                      \
    } while (0)

static void plain(void)
{
    IS("/", root);
    IS("//", root);
    IS("/a", a);
    IS("/a/", a);
    IS("/a/b/c", c);
    IS("///a//b///c//", c);
    IS("/a/./b/./c/.", c);
    IS("/a/b/../b/c", c);
    IS("/..", root);
    IS("/../../a", a);
    IS("/a/b/../..", root);
    IS("a/b", b); /* the cwd is the root */
    IS(".", root);
    IS("..", root);
    IS("/a/file", file);
    FAILS("", -ENOENT);
    FAILS("/nope", -ENOENT);
    FAILS("/a/nope/b", -ENOENT);
    FAILS("/a/file/", -ENOTDIR);
    FAILS("/a/file/.", -ENOTDIR);
    FAILS("/a/file/..", -ENOTDIR);
    FAILS("/a/file/x", -ENOTDIR);
}

static void links(void)
{
    IS("/l_abs", b);
    IS("/l_abs/c", c);
    IS("/a/l_rel", c);          /* "b/c" from /a */
    IS("/a/b/l_up", file);      /* "../file" from /a/b */
    IS("/l_abs/../file", file); /* ".." of where the link led */
    IS("/l_chain", c);
    FAILS("/l_dangling", -ENOENT);
    FAILS("/l_loop", -ELOOP);
    FAILS("/l_self", -ELOOP);
    FAILS("/l_self/x", -ELOOP);
    FAILS("/l_file/", -ENOTDIR);
    FAILS("/l_file/x", -ENOTDIR);
    IS("/l_file", file);
    IS("/l_dyn/c", c);
    dyn_fails = true;
    FAILS("/l_dyn", -ENOENT);
    dyn_fails = false;
}

/* Not following the last component, unless a slash follows it. */
static void nofollow(void)
{
    int err;
    struct node *n = resolve_at(AT_FDCWD, "/l_abs", false, &err);
    CHECK(n && S_ISLNK(n->mode) && !err);
    n = resolve_at(AT_FDCWD, "/l_abs/", false, &err);
    CHECK(n == b);
    n = resolve_at(AT_FDCWD, "/l_loop", false, &err);
    CHECK(n && S_ISLNK(n->mode));
    n = resolve_at(AT_FDCWD, "/l_dangling", false, &err);
    CHECK(n && S_ISLNK(n->mode));
    n = resolve_at(AT_FDCWD, "/l_abs/c", false, &err);
    CHECK(n == c); /* the middle ones are followed */
}

/* Linux follows 40 links on one walk: a chain of 40 resolves, 41 not. */
static void chain(void)
{
    static char names[50][8], targets[50][8];
    struct node *d = mkdir_(root, "chain");
    snprintf(targets[0], 8, "/a");
    for (int i = 0; i < 45; i++) {
        snprintf(names[i], 8, "k%d", i);
        if (i)
            snprintf(targets[i], 8, "k%d", i - 1);
        mklink(d, names[i], targets[i]);
    }
    IS("/chain/k39", a);
    IS("/chain/k39/b", b);
    FAILS("/chain/k40", -ELOOP);
    FAILS("/chain/k44/b", -ELOOP);
    /* Links on one walk add up, even in different components. */
    IS("/chain/k19/../chain/k19", a);
    FAILS("/chain/k20/../chain/k20", -ELOOP);
}

static void lengths(void)
{
    char name[300], path[PATH_MAX + 10];
    memset(name, 'n', sizeof(name));
    name[0] = '/';
    name[256] = '\0'; /* a 255-byte name */
    FAILS(name, -ENOENT);
    name[256] = 'n';
    name[257] = '\0'; /* 256 bytes */
    FAILS(name, -ENAMETOOLONG);
    /* Even in the middle of an existing path, and after a link. */
    snprintf(path, sizeof(path), "/l_abs%s/c", name);
    FAILS(path, -ENAMETOOLONG);

    /* From the user: PATH_MAX counts the terminating NUL. */
    long err;
    memset(path, 'p', sizeof(path));
    path[0] = '/';
    path[PATH_MAX - 1] = '\0';
    char *k = path_from_user((uint64_t)path, &err);
    CHECK(k && !err && strlen(k) == PATH_MAX - 1);
    kfree(k);
    path[PATH_MAX - 1] = 'p';
    path[PATH_MAX] = '\0';
    CHECK(!path_from_user((uint64_t)path, &err) && err == -ENAMETOOLONG);
    CHECK(!path_from_user((uint64_t) "", &err) && err == -ENOENT);
    CHECK(!path_from_user(0, &err) && err == -EFAULT);
    CHECK(!path_from_user(USER_TOP, &err) && err == -EFAULT);
    kshim_kmalloc_fail = 1;
    CHECK(!path_from_user((uint64_t) "/a", &err) && err == -ENOMEM);
    CHECK_EQ(kshim_live, 0);
}

static void dirfds(void)
{
    IS_AT(3, "b/c", true, c, 0); /* fd 3 is /a */
    IS_AT(3, "..", true, root, 0);
    IS_AT(3, "/a/file", true, file, 0); /* absolute: the fd is unused */
    IS_AT(4, "x", true, NULL, -ENOTDIR);
    IS_AT(4, "/a", true, a, 0);
    IS_AT(9, "x", true, NULL, -EBADF);
    IS_AT(-1, "x", true, NULL, -EBADF);
    IS_AT(3, "", true, NULL, -ENOENT);
    /* A cwd of its own. */
    CHECK_EQ(cwd_set(file), -ENOTDIR);
    CHECK_EQ(cwd_set(b), 0);
    IS("c", c);
    IS("../file", file);
    CHECK_EQ(cwd_set(root), 0);
    IS("a", a);
}

/* path_parent: the parent resolved, the last component looked up. */
static void parents(void)
{
    struct lookup lk;
    CHECK_EQ(path_parent(AT_FDCWD, "/a/b/c", &lk), 0);
    CHECK(lk.parent == b && lk.node == c && lk.len == 1 && *lk.name == 'c');
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/a/b/new//", &lk), 0);
    CHECK(lk.parent == b && !lk.node && lk.len == 3 && lk.trailing_slash);
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/", &lk), 0);
    CHECK(lk.parent == root && lk.node == root && lk.len == 0 &&
          !lk.trailing_slash);
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "new", &lk), 0);
    CHECK(lk.parent == root && !lk.node);
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/a/b/..", &lk), 0);
    CHECK(lk.parent == b && lk.node == a);
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/a/.", &lk), 0);
    CHECK(lk.parent == a && lk.node == a);
    lookup_done(&lk);
    /* The last component is not followed; the ones before it are. */
    CHECK_EQ(path_parent(AT_FDCWD, "/l_abs/l_x", &lk), 0);
    CHECK(lk.parent == b && !lk.node);
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/l_loop", &lk), 0);
    CHECK(lk.parent == root && lk.node && S_ISLNK(lk.node->mode));
    lookup_done(&lk);
    CHECK_EQ(path_parent(AT_FDCWD, "/a/file/x", &lk), -ENOTDIR);
    CHECK_EQ(path_parent(AT_FDCWD, "/nope/x", &lk), -ENOENT);
    CHECK_EQ(path_parent(AT_FDCWD, "/l_loop/x", &lk), -ELOOP);
    CHECK_EQ(path_parent(AT_FDCWD, "", &lk), -ENOENT);
    CHECK_EQ(path_parent(4, "x", &lk), -ENOTDIR);
    CHECK_EQ(path_parent(9, "x", &lk), -EBADF);
    char name[300];
    memset(name, 'n', sizeof(name));
    name[256] = '\0';
    CHECK_EQ(path_parent(AT_FDCWD, name, &lk), -ENAMETOOLONG);
    CHECK(lk.parent == NULL && lk.node == NULL);
    lookup_done(&lk); /* harmless after a failure */
    CHECK(refs_balanced());
}

int main(void)
{
    root = mkdir_(NULL, NULL);
    root->refs = 1; /* the tree's own */
    a = mkdir_(root, "a");
    b = mkdir_(a, "b");
    c = mkdir_(b, "c");
    file = mkfile(a, "file");
    mklink(root, "l_abs", "/a/b");
    mklink(a, "l_rel", "b/c");
    mklink(b, "l_up", "../file");
    mklink(root, "l_chain", "l_abs/../l_rel");
    mklink(root, "l_dangling", "/a/nothing");
    mklink(root, "l_loop", "l_loop2");
    mklink(root, "l_loop2", "/l_loop");
    mklink(root, "l_self", "l_self");
    mklink(root, "l_file", "a/file");
    dyn = mknode(root, "l_dyn", S_IFLNK | 0777);
    dyn->dyn_link = dyn_target;
    dir_file.node = a;
    reg_file.node = file;

    plain();
    links();
    nofollow();
    chain();
    lengths();
    dirfds();
    parents();
    CHECK(refs_balanced());
    CHECK_EQ(kshim_live, 0);
    return check_done();
}
