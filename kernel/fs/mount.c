/*
 * fs/mount.c — the mount layer (fs/mount.h): the mount table, the nodes
 * of mounted file systems (a cache of the backend's inodes, looked up on
 * demand and dropped, oldest first, once more than MOUNT_UNUSED_MAX are
 * unused), and /proc/mounts.  A node of a mount keeps the attributes its
 * backend last reported; lookups and stat refresh them, so changes made
 * on the host side show.  Names looked up are remembered for a second
 * (the name cache, mount_dent).  A mounted directory's root node stands
 * in for the covered directory in path walks (path.c crosses with
 * mount_cross), and its ".." is the covered directory's parent.
 * The operations on the files themselves are in mount_ops.c.
 */
#include "fs/mount.h"
#include "arch/x86_64/arch.h"
#include "mm/mm.h"

#define HASH_SIZE 256

static struct {
    struct mount *m[MOUNT_MAX];
    int n;
} mounts;

/* The hash chains of a mount's nodes follow struct mount. */
static struct list *bucket(struct mount *m, uint64_t ino)
{
    struct list *h = (struct list *)(m + 1);
    return &h[(ino * 0x9e3779b97f4a7c15ULL) >> 56];
}

void mount_attr_apply(struct node *n, const struct fs_attr *a)
{
    n->mode = a->mode;
    n->uid = a->uid;
    n->gid = a->gid;
    n->nlink = (uint32_t)MIN(a->nlink, (uint64_t)UINT32_MAX);
    n->blocks = a->blocks;
    n->rdev = a->rdev;
    n->atime = a->atime;
    n->mtime = a->mtime;
    n->ctime = a->ctime;
    if (S_ISREG(n->mode) && a->size < n->size && n->npages)
        mount_pages_drop(n, a->size);
    n->size = a->size;
}

static struct node *cache_find(struct mount *m, uint64_t ino)
{
    list_for_each(l, bucket(m, ino))
    {
        struct node *n = container_of(l, struct node, mlink);
        if (n->ino == ino)
            return n;
    }
    return NULL;
}

/* n is no longer on the unused list (it is held again, or freed). */
static void unuse_end(struct node *n)
{
    if (!n->unused)
        return;
    list_del(&n->ulink);
    n->mnt->nunused--;
    n->unused = false;
}

/* Frees an unused node of a mount (its pages were written back). */
static void evict(struct node *n)
{
    struct mount *m = n->mnt;
    unuse_end(n);
    if (!n->stale) {
        list_del(&n->mlink);
        if (m->ops->forget)
            m->ops->forget(m, n->ino);
    }
    mount_pages_drop(n, 0);
    diskfile_detach(n);
    kfree(n->pages);
    struct node *parent = S_ISDIR(n->mode) && n->parent != n ? n->parent : NULL;
    kfree(n->bname);
    kfree(n->link);
    kfree(n);
    if (parent)
        node_put(parent);
}

void mount_node_put(struct node *n)
{
    struct mount *m = n->mnt;
    mount_writeback(n);
    /* An unlinked file goes at once, so the backend frees its inode. */
    if (n->stale || n == m->root || n->nlink == 0) {
        if (n != m->root)
            evict(n);
        return;
    }
    if (inotify_watched(n))
        return; /* a watch names it: it stays, as a pinned dentry would */
    list_add_tail(&m->unused, &n->ulink);
    n->unused = true;
    m->nunused++;
    while (m->nunused > MOUNT_UNUSED_MAX) {
        struct node *old = container_of(m->unused.next, struct node, ulink);
        if (old->refs)
            unuse_end(old); /* taken again through a pointer kept */
        else
            evict(old);
    }
}

/* Sets directory n's parent and name (from a lookup in parent). */
void mount_set_parent(struct node *n, struct node *parent, const char *name,
                      size_t len)
{
    if (!S_ISDIR(n->mode) || !parent || n == n->mnt->root)
        return; /* the root's place is the covered directory's */
    char *b = kmalloc(len + 1);
    if (b) {
        memcpy(b, name, len);
        b[len] = '\0';
        kfree(n->bname);
        n->bname = b;
    }
    if (n->parent == parent)
        return;
    node_get(parent);
    struct node *old = n->parent != n ? n->parent : NULL;
    n->parent = parent;
    if (old)
        node_put(old);
}

/* A symbolic link's target, read when it is looked up, so path walks and
 * readlink find it in n->link as for the tree's links. */
static void link_text(struct node *n)
{
    struct seq s = {0};
    char *t = NULL;
    if (mount_readlink(n, &s) == 0)
        t = s.buf ? s.buf : kzalloc(1);
    else
        kfree(s.buf);
    if (t) {
        kfree(n->link);
        n->link = t;
    }
}

/* The name cache: a slot per hash of (directory, name); a newer name
 * takes the slot.  Like Linux's 9p with cache=none, which trusts a name
 * while its dentry is held, a name found is used again without asking
 * the host, but for MOUNT_DENT_TTL_NS only, so a name the host removes
 * or renames is seen soon after; stat still asks for the attributes. */
static struct mount_dent *dent_slot(struct mount *m, uint64_t dir,
                                    const char *name, size_t len)
{
    uint64_t h = dir * 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)name[i]) * 0x100000001b3ULL;
    return &m->dents[(h >> 32) % MOUNT_DENTS];
}

static struct node *dent_find(struct mount *m, uint64_t dir, const char *name,
                              size_t len)
{
    if (!m->dents || len > MOUNT_DENT_NAME)
        return NULL;
    struct mount_dent *d = dent_slot(m, dir, name, len);
    if (d->dir != dir || d->len != len || memcmp(d->name, name, len) ||
        clock_mono_ns() - d->when > MOUNT_DENT_TTL_NS)
        return NULL;
    struct node *n = cache_find(m, d->ino);
    return n && n->nlink ? n : NULL;
}

static void dent_add(struct mount *m, uint64_t dir, const char *name,
                     size_t len, uint64_t ino)
{
    if (!m->dents || len > MOUNT_DENT_NAME || len == 0)
        return;
    struct mount_dent *d = dent_slot(m, dir, name, len);
    d->dir = dir;
    d->ino = ino;
    d->when = clock_mono_ns();
    d->len = (uint8_t)len;
    memcpy(d->name, name, len);
}

void mount_dent_drop(struct mount *m, uint64_t dir, const char *name,
                     size_t len)
{
    if (m->dents && len <= MOUNT_DENT_NAME)
        dent_slot(m, dir, name, len)->len = 0; /* no name is empty */
}

void mount_dents_drop_ino(struct mount *m, uint64_t ino)
{
    for (unsigned i = 0; m->dents && i < MOUNT_DENTS; i++)
        if (m->dents[i].ino == ino || m->dents[i].dir == ino)
            m->dents[i].len = 0;
}

struct node *mount_cache(struct mount *m, const struct fs_attr *a,
                         struct node *parent, const char *name, size_t len)
{
    struct node *n = cache_find(m, a->ino);
    if (n && (n->mode & S_IFMT) != (a->mode & S_IFMT)) {
        /* The inode number was reused for another file: the old node
         * lives on, unnamed, for those who hold it. */
        list_del(&n->mlink);
        n->stale = true;
        if (n->refs == 0)
            evict(n);
        n = NULL;
    }
    if (n) {
        unuse_end(n);
        n->refs++;
    } else {
        n = node_new(a->mode);
        if (!n)
            return NULL;
        n->ino = a->ino;
        n->mnt = m;
        list_add_tail(bucket(m, a->ino), &n->mlink);
    }
    mount_attr_apply(n, a);
    mount_set_parent(n, parent, name, len);
    if (parent)
        dent_add(m, parent->ino, name, len, a->ino);
    if (S_ISLNK(n->mode))
        link_text(n);
    return n;
}

struct node *mount_cross(struct node *n)
{
    while (n->mounted)
        n = n->mounted->root;
    return n;
}

int mount_lookup(struct node *dir, const char *name, size_t len,
                 struct node **out)
{
    struct mount *m = dir->mnt;
    struct node *n = dent_find(m, dir->ino, name, len);
    if (n) {
        unuse_end(n);
        n->refs++;
        *out = n;
        return 0;
    }
    struct fs_attr a;
    int err = m->ops->lookup(m, dir->ino, name, len, &a);
    if (err)
        return err;
    *out = mount_cache(m, &a, dir, name, len);
    return *out ? 0 : -ENOMEM;
}

int mount_refresh(struct node *n)
{
    if (!n->mnt || n->stale)
        return 0;
    struct fs_attr a;
    int err = n->mnt->ops->getattr(n->mnt, n->ino, &a);
    if (err == -ENOENT || err == -ESTALE) {
        n->nlink = 0; /* unlinked on the host */
        mount_dents_drop_ino(n->mnt, n->ino);
    }
    if (!err)
        mount_attr_apply(n, &a);
    return err;
}

bool mount_ino_cached(struct mount *m, uint64_t ino)
{
    return cache_find(m, ino) != NULL;
}

int mount_check_rw(const struct node *n)
{
    return n->mnt && n->mnt->ro ? -EROFS : 0;
}

/* --- the mount table */

static bool forbidden(const char *path)
{
    static const char *const under[] = {"/proc", "/dev"};
    for (unsigned i = 0; i < ARRAY_SIZE(under); i++) {
        size_t n = strlen(under[i]);
        if (!strncmp(path, under[i], n) && (!path[n] || path[n] == '/'))
            return true;
    }
    return false;
}

static int mount_root(struct mount *m, struct node *covered)
{
    struct fs_attr a;
    int err = m->ops->root(m, &a);
    if (err)
        return err;
    if (!S_ISDIR(a.mode))
        return -ENOTDIR;
    m->root = mount_cache(m, &a, NULL, NULL, 0);
    if (!m->root)
        return -ENOMEM;
    m->root->parent = covered->parent;
    node_get(covered->parent);
    return 0;
}

int mount_add(const char *path, const struct fs_backend_ops *ops, void *priv,
              const char *source, bool ro)
{
    struct node *dir;
    if (path[0] != '/' || forbidden(path))
        return -EINVAL;
    if (mounts.n == MOUNT_MAX)
        return -EBUSY;
    int err = path_resolve(AT_FDCWD, path, true, &dir);
    if (err == -ENOENT) {
        if (!node_mkdirs(path, strlen(path)))
            return -ENOMEM;
        err = path_resolve(AT_FDCWD, path, true, &dir);
    }
    if (err)
        return err;
    if (!S_ISDIR(dir->mode) || dir == node_root()) {
        node_put(dir);
        return dir == node_root() ? -EBUSY : -ENOTDIR;
    }
    struct mount *m = kzalloc(sizeof(*m) + HASH_SIZE * sizeof(struct list));
    char *p = m ? kmalloc(PATH_MAX) : NULL;
    if (!p || node_dir_path(dir, p, PATH_MAX) < 0) {
        kfree(m);
        kfree(p);
        node_put(dir);
        return -ENOMEM;
    }
    for (int i = 0; i < HASH_SIZE; i++)
        list_init((struct list *)(m + 1) + i);
    m->ops = ops;
    m->priv = priv;
    m->ro = ro;
    m->path = p;
    m->covered = dir;
    m->dev = 0x30 + (uint32_t)mounts.n; /* after the tree's 00:18 */
    snprintf(m->source, sizeof(m->source), "%s", source);
    list_init(&m->unused);
    m->dents = kzalloc(MOUNT_DENTS * sizeof(*m->dents)); /* NULL: none */
    err = mount_root(m, dir);
    if (err) {
        node_put(dir);
        kfree(m->dents);
        kfree(p);
        kfree(m);
        return err;
    }
    dir->mounted = m;
    mounts.m[mounts.n++] = m;
    return 0;
}

void mount_list(struct seq *s)
{
    for (int i = 0; i < mounts.n; i++) {
        struct mount *m = mounts.m[i];
        seq_printf(s, "%s %s %s %s", m->source, m->path, m->ops->type,
                   m->ro ? "ro" : "rw");
        if (m->ops->options)
            m->ops->options(m, s);
        seq_printf(s, " 0 0\n");
    }
}

/* --- the command line */

/* One WORD=SOURCE:/PATH[:ro] value w[0..n) of a kind: 0, or -1 after
 * saying why it cannot be mounted. */
static int mount_word(const char *key, const char *w, size_t n,
                      int (*fn)(const char *src, const char *path, bool ro))
{
    char buf[128 + PATH_MAX];
    if (n >= sizeof(buf))
        n = sizeof(buf) - 1;
    memcpy(buf, w, n);
    buf[n] = '\0';
    char *path = strchr(buf, ':');
    bool ro = false;
    if (path) {
        *path++ = '\0';
        size_t pl = strlen(path);
        if (pl > 3 && !strcmp(path + pl - 3, ":ro")) {
            path[pl - 3] = '\0';
            ro = true;
        }
    }
    int err = path && *buf ? fn(buf, path, ro) : -EINVAL;
    if (err)
        kprintf("gorump: %s%.*s: cannot mount it (error %d%s)\n", key, (int)n,
                w, -err,
                err != -ENODEV   ? ""
                : fn == p9_mount ? ": no 9p device with that tag"
                                 : ": no disk with that id");
    return err ? -1 : 0;
}

int mount_cmdline(const char *cmdline)
{
    static const struct {
        const char *key;
        int (*fn)(const char *, const char *, bool);
    } kinds[] = {{"gorump.share=", p9_mount}, {"gorump.volume=", ext2fs_mount}};
    for (const char *p = cmdline; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
            size_t k = strlen(kinds[i].key);
            if (n > k && !strncmp(p, kinds[i].key, k) &&
                mount_word(kinds[i].key, p + k, n - k, kinds[i].fn))
                return -1;
        }
        p += n;
    }
    return 0;
}

/* --- sync and the end */

/* Writes back the pages mappings changed in every node of m, or (when
 * limit is not UINT64_MAX) in nodes whose write-back has not failed until
 * no more than limit pages are dirty: the first error. */
static int mount_writeback_all(struct mount *m, uint64_t limit)
{
    struct list *h = (struct list *)(m + 1);
    int first = 0;
    for (int i = 0; i < HASH_SIZE; i++)
        list_for_each(l, &h[i])
        {
            struct node *n = container_of(l, struct node, mlink);
            if (limit != UINT64_MAX &&
                (mount_dirty_pages() <= limit || n->wb_failed))
                continue;
            int err = mount_writeback(n);
            if (err && !first)
                first = err;
        }
    return first;
}

static int sync_one(struct mount *m)
{
    if (m->ro)
        return 0;
    int err = mount_writeback_all(m, UINT64_MAX);
    int r = m->ops->sync ? m->ops->sync(m) : 0;
    return err ? err : r;
}

/* Dirty pages are bounded as Linux's dirty_ratio bounds them: past an
 * eighth of RAM (a sixty-fourth when free memory is below a sixteenth)
 * they are written back down to half that, by the program that made
 * them, on its way back from the fault or call.  Written back, they are
 * clean pages of the cache, which the clock takes back under pressure:
 * a mapping larger than RAM works. */
void mount_balance_dirty(void)
{
    if (mount_dirty_pages() == 0)
        return; /* nearly always: this runs at every return to the program */
    uint64_t total = pmem_total_pages(), limit = total / 8;
    if (pmem_free_pages() < total / 16)
        limit = total / 64;
    if (mount_dirty_pages() <= limit)
        return;
    for (int i = 0; i < mounts.n && mount_dirty_pages() > limit / 2; i++)
        if (!mounts.m[i]->ro)
            mount_writeback_all(mounts.m[i], limit / 2);
}

int mount_sync_all(void)
{
    int first = 0;
    for (int i = 0; i < mounts.n; i++) {
        int err = sync_one(mounts.m[i]);
        if (err && !first)
            first = err;
    }
    return first;
}

int mount_sync(struct node *n)
{
    return n->mnt ? sync_one(n->mnt) : 0;
}

void mount_unmount_all(void)
{
    for (int i = mounts.n - 1; i >= 0; i--) {
        struct mount *m = mounts.m[i];
        mount_writeback_all(m, UINT64_MAX);
        struct list *h = (struct list *)(m + 1);
        for (int b = 0; m->ops->forget && b < HASH_SIZE; b++)
            list_for_each(l, &h[b])
            {
                m->ops->forget(m, container_of(l, struct node, mlink)->ino);
            }
        int err = m->ops->unmount ? m->ops->unmount(m) : 0;
        if (err)
            kprintf("gorump: %s on %s: unmounting failed (error %d)\n",
                    m->source, m->path, -err);
    }
}
