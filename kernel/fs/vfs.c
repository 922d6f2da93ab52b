/*
 * fs/vfs.c — opening the file tree: openat's rules, the operations of
 * regular files, directories and generated (snapshot) files, the start-up
 * tree (/, /tmp, /root, /etc) and loading the image's packed files.
 */
#include "fs/mount.h"
#include "gorump/image.h"
#include "mm/mm.h"

/* --- regular files */

static long reg_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    long r = node_read(f->node, ubuf, true, n, *pos);
    if (r > 0)
        *pos += r;
    return r;
}

static long reg_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    if ((f->flags & O_APPEND) && f->node->mnt)
        mount_refresh(f->node); /* the host may have appended too */
    if (f->flags & O_APPEND)
        *pos = f->node->size;
    long r = node_write(f->node, ubuf, true, n, *pos);
    if (r > 0)
        *pos += r;
    /* O_SYNC and O_DSYNC (open(2)): the data is durable when write
     * returns; for a mount's file that is its fsync. */
    if (r > 0 && (f->flags & O_DSYNC) && f->node->mnt) {
        int err = mount_fsync(f->node);
        if (err)
            return err;
    }
    return r;
}

static long no_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
    return -ENOTTY;
}

static void node_file_stat(struct file *f, struct linux_stat *st)
{
    node_stat(f->node, st);
}

static const struct file_ops reg_ops = {
    .read = reg_read,
    .write = reg_write,
    .ioctl = no_ioctl,
    .stat = node_file_stat,
};

bool file_is_regular(struct file *f)
{
    return f->ops == &reg_ops;
}

/* --- directories */

static long dir_rw(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    return -EISDIR;
}

static const struct file_ops dir_ops = {
    .read = dir_rw,
    .write = dir_rw,
    .ioctl = no_ioctl,
    .stat = node_file_stat,
};

static uint8_t dtype(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return 4;
    case S_IFREG:
        return 8;
    case S_IFLNK:
        return 10;
    case S_IFCHR:
        return 2;
    case S_IFIFO:
        return 1;
    case S_IFSOCK:
        return 12;
    default:
        return 0;
    }
}

bool dirent_emit(uint8_t *buf, size_t cap, size_t *len, uint64_t ino,
                 uint64_t off, uint8_t type, const char *name, size_t nlen)
{
    size_t reclen = ALIGN_UP(19 + nlen + 1, 8UL);
    if (*len + reclen > cap)
        return false;
    uint8_t *d = buf + *len;
    memset(d, 0, reclen);
    memcpy(d, &ino, 8);
    memcpy(d + 8, &off, 8);
    uint16_t rl = (uint16_t)reclen;
    memcpy(d + 16, &rl, 2);
    d[18] = type;
    memcpy(d + 19, name, nlen);
    *len += reclen;
    return true;
}

long vfs_getdents(struct file *f, uint64_t ubuf, size_t n)
{
    struct node *dir = f->node;
    if (!dir || !S_ISDIR(dir->mode))
        return -ENOTDIR;
    if (dir->mnt)
        return mount_getdents(f, ubuf, n);
    if (dir->refresh && f->pos == 0)
        dir->refresh(dir);
    size_t cap = MIN(n, (size_t)65536), len = 0;
    uint8_t *buf = kmalloc(cap);
    if (!buf)
        return -ENOMEM;
    /* The position moves only once the entries reached the program. */
    uint64_t pos = f->pos;
    bool full = false;
    if (pos < 1 &&
        !(full = !dirent_emit(buf, cap, &len, dir->ino, 1, 4, ".", 1)))
        pos = 1;
    if (!full && pos < 2 &&
        !(full = !dirent_emit(buf, cap, &len, dir->parent->ino, 2, 4, "..", 2)))
        pos = 2;
    list_for_each(l, &dir->children)
    {
        struct dirent *d = container_of(l, struct dirent, link);
        if (full || d->cookie <= pos)
            continue;
        if (!dirent_emit(buf, cap, &len, d->node->ino, d->cookie,
                         dtype(d->node->mode), d->name, d->len)) {
            full = true;
            continue;
        }
        pos = d->cookie;
    }
    long r = len;
    if (len == 0 && full)
        r = -EINVAL; /* the buffer cannot hold one entry */
    else if (copy_to_user(ubuf, buf, len))
        r = -EFAULT;
    else
        f->pos = pos;
    kfree(buf);
    return r;
}

/* --- generated files: their text is made when they are opened */

struct snapshot {
    struct seq s;
};

static long snap_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    struct snapshot *sn = f->priv;
    if (*pos >= sn->s.len)
        return 0;
    size_t c = MIN(n, sn->s.len - *pos);
    if (copy_to_user(ubuf, sn->s.buf + *pos, c))
        return -EFAULT;
    *pos += c;
    return c;
}

static long snap_write(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    return -EACCES;
}

static void snap_release(struct file *f)
{
    struct snapshot *sn = f->priv;
    kfree(sn->s.buf);
    kfree(sn);
}

static void snap_stat(struct file *f, struct linux_stat *st)
{
    node_stat(f->node, st);
    st->st_size = 0; /* as /proc reports */
}

static const struct file_ops snap_ops = {
    .read = snap_read,
    .write = snap_write,
    .ioctl = no_ioctl,
    .stat = snap_stat,
    .release = snap_release,
};

struct file *snapshot_open(struct node *n, unsigned flags)
{
    struct snapshot *sn = kzalloc(sizeof(*sn));
    if (!sn)
        return NULL;
    sn->s.node = n;
    n->gen(&sn->s);
    struct file *f = sn->s.failed ? NULL : file_alloc(&snap_ops, sn, flags);
    if (!f) {
        kfree(sn->s.buf);
        kfree(sn);
    }
    return f;
}

/* --- open */

static long open_node(struct node *n, unsigned flags, struct file **out)
{
    unsigned acc = flags & O_ACCMODE;
    unsigned keep =
        flags & (O_ACCMODE | O_NONBLOCK | O_APPEND | O_PATH | O_SYNC);
    const struct file_ops *ops;
    struct file *f;

    if ((flags & O_DIRECTORY) && !S_ISDIR(n->mode))
        return -ENOTDIR;
    if (flags & O_PATH) {
        ops = S_ISDIR(n->mode) ? &dir_ops : &reg_ops;
        f = file_alloc(ops, NULL, O_PATH);
    } else if (S_ISDIR(n->mode)) {
        if (acc != O_RDONLY || (flags & O_TRUNC))
            return -EISDIR;
        f = file_alloc(&dir_ops, NULL, keep);
    } else if (n->gen) {
        if (acc != O_RDONLY)
            return -EACCES;
        f = snapshot_open(n, keep);
    } else if ((n->mode & S_IFMT) == S_IFIFO) {
        long err = fifo_open(n, flags, &f);
        if (err)
            return err;
    } else if (n->fops) {
        f = file_alloc(n->fops, n->priv, keep);
    } else if (S_ISREG(n->mode)) {
        if (n->mnt) {
            int err = mount_open(n, flags);
            if (err)
                return err;
        }
        if ((flags & O_TRUNC) && acc != O_RDONLY) {
            int err = node_truncate(n, 0);
            if (err)
                return err;
        }
        f = file_alloc(&reg_ops, NULL, keep);
    } else {
        return -ENXIO;
    }
    if (!f)
        return -ENOMEM;
    f->node = n;
    node_get(n);
    *out = f;
    return 0;
}

/* inotify: IN_OPEN, then IN_MODIFY for O_TRUNC on a file that existed
 * (fs/namei.c truncates after opening, and not a file it just made). */
static void open_events(struct file *f, unsigned flags, bool created)
{
    if (flags & O_PATH)
        return;
    inotify_node(f->node, IN_OPEN, f);
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && !created &&
        file_is_regular(f))
        inotify_node(f->node, IN_MODIFY, f);
}

/* Records the path the file was opened by, for /proc/self/fd. */
static void set_path(struct file *f, struct node *dir, const char *name,
                     size_t len)
{
    char *p = kmalloc(PATH_MAX);
    if (!p)
        return;
    long n = node_dir_path(dir, p, PATH_MAX);
    if (n < 0 || (size_t)n + len + 2 > PATH_MAX) {
        kfree(p);
        return;
    }
    if (len && !S_ISDIR(f->node->mode)) {
        if (n > 1)
            p[n++] = '/';
        memcpy(p + n, name, len);
        p[n + len] = '\0';
    } else if (S_ISDIR(f->node->mode)) {
        node_dir_path(f->node, p, PATH_MAX);
    }
    f->path = p;
}

/* The last component of an open, symbolic links followed as open(2) says:
 * O_NOFOLLOW stops at a link (ELOOP, or the link itself for O_PATH) unless
 * a trailing slash asks for the target; with O_CREAT a dangling link is
 * followed to the name to create (path_parent_link). */
static int open_follow(int dirfd, const char *path, unsigned flags,
                       struct lookup *lk)
{
    if (!lk->node || !S_ISLNK(lk->node->mode))
        return 0;
    if ((flags & O_NOFOLLOW) && !lk->trailing_slash)
        return (flags & O_PATH) ? 0 : -ELOOP;
    struct node *t;
    int err = path_resolve(dirfd, path, true, &t);
    if (!err) {
        node_put(lk->node);
        lk->node = t;
        return 0;
    }
    if (err != -ENOENT || !(flags & O_CREAT))
        return err;
    /* Dangling, with O_CREAT: the name to create is where the chain of
     * links ends. */
    int links = 0;
    while (lk->node && S_ISLNK(lk->node->mode)) {
        err = path_parent_link(lk, &links);
        if (err)
            return err;
        if (lk->trailing_slash)
            return -EISDIR;
    }
    return 0;
}

/* A new regular file as lk's name: a reference in *out. */
static int create_file(struct lookup *lk, uint32_t perm, struct node **out)
{
    if (lk->parent->mnt)
        return mount_create(lk->parent, lk->name, lk->len, S_IFREG | perm, out);
    struct node *n = node_new(S_IFREG | perm);
    if (!n)
        return -ENOSPC;
    int err = dir_link(lk->parent, lk->name, lk->len, n);
    if (err) {
        node_put(n);
        return err;
    }
    *out = n;
    return 0;
}

long vfs_open(int dirfd, const char *path, unsigned flags, uint32_t mode,
              struct file **out)
{
    struct lookup lk;
    int err = path_parent(dirfd, path, &lk);
    if (err)
        return err;
    bool created = false;
    /* open(2): O_CREAT with a trailing slash is EISDIR (nothing is made);
     * O_CREAT|O_EXCL fails on any existing name, a symbolic link even
     * if dangling. */
    if ((flags & O_CREAT) && lk.trailing_slash) {
        err = -EISDIR;
        goto out;
    }
    if (lk.node && (flags & O_CREAT) && (flags & O_EXCL)) {
        err = -EEXIST;
        goto out;
    }
    err = open_follow(dirfd, path, flags, &lk);
    if (err)
        goto out;
    struct node *n = lk.node;
    if (n && lk.trailing_slash && !S_ISDIR(n->mode)) {
        err = -ENOTDIR; /* "file/" */
        goto out;
    }
    if (!n) {
        if (!(flags & O_CREAT)) {
            err = -ENOENT;
            goto out;
        }
        err = create_file(&lk, mode & 07777 & ~*fs_ctx_umask(), &n);
        if (err)
            goto out;
        inotify_entry(lk.parent, lk.name, lk.len, IN_CREATE, 0, n);
        created = true;
        lk.node = n;
    } else if ((flags & O_CREAT) && S_ISDIR(n->mode)) {
        err = -EISDIR;
        goto out;
    }
    err = open_node(n, flags, out);
    if (!err) {
        set_path(*out, lk.parent, lk.name, lk.len);
        open_events(*out, flags, created);
    }
out:
    lookup_done(&lk);
    return err;
}

long vfs_chmod(struct node *n, uint32_t mode)
{
    if (n->mnt) {
        struct fs_setattr sa = {.mask = FS_SET_MODE, .mode = mode & 07777};
        int err = mount_setattr(n, &sa);
        if (err)
            return err;
    } else {
        n->mode = (n->mode & S_IFMT) | (mode & 07777);
        node_touch(n, false);
    }
    inotify_node(n, IN_ATTRIB, NULL);
    return 0;
}

long vfs_chown(struct node *n, uint32_t uid, uint32_t gid)
{
    if (n->mnt) {
        struct fs_setattr sa = {.uid = uid, .gid = gid};
        sa.mask = (uid != UINT32_MAX ? FS_SET_UID : 0) |
                  (gid != UINT32_MAX ? FS_SET_GID : 0);
        if (!sa.mask)
            sa.mask = FS_SET_CTIME;
        int err = mount_setattr(n, &sa);
        if (err)
            return err;
    } else {
        if (uid != UINT32_MAX)
            n->uid = uid;
        if (gid != UINT32_MAX)
            n->gid = gid;
        node_touch(n, false);
    }
    inotify_node(n, IN_ATTRIB, NULL);
    return 0;
}

unsigned vfs_umask(unsigned mask)
{
    unsigned old = *fs_ctx_umask();
    *fs_ctx_umask() = mask & 0777;
    return old;
}

unsigned vfs_get_umask(void)
{
    return *fs_ctx_umask();
}

/* --- the start-up tree */

static void add_text(const char *path, const char *text)
{
    struct node *n = node_new(S_IFREG | 0644);
    if (!n)
        return;
    size_t len = strlen(text);
    if (node_write(n, (uint64_t)text, false, len, 0) != (long)len) {
        node_put(n);
        return;
    }
    node_place(path, strlen(path), n);
    node_put(n);
}

/* Files a program expects in /etc, unless the image brought its own.
 * resolv and hosts come from the network configuration (they may be
 * empty). */
void vfs_etc_defaults(const char *resolv, const char *hosts)
{
    static char hosts_text[1024];
    snprintf(hosts_text, sizeof(hosts_text),
             "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
             "ip6-loopback\n%s",
             *hosts ? hosts : "127.0.1.1\tgorump\n");
    const struct {
        const char *path, *text;
    } etc[] = {
        {"/etc/hostname", "gorump\n"},
        {"/etc/hosts", hosts_text},
        {"/etc/resolv.conf", *resolv ? resolv : "# no network configured\n"},
        {"/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n"
                        "nobody:x:65534:65534:nobody:/nonexistent:"
                        "/sbin/nologin\n"},
        {"/etc/group", "root:x:0:\nnogroup:x:65534:\n"},
        {"/etc/nsswitch.conf", "passwd: files\ngroup: files\n"
                               "hosts: files dns\n"},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(etc); i++) {
        struct node *n;
        if (path_resolve(AT_FDCWD, etc[i].path, false, &n) == 0) {
            node_put(n);
            continue;
        }
        add_text(etc[i].path, etc[i].text);
    }
}

void vfs_init(void)
{
    node_init();
    struct node *tmp = node_mkdirs("/tmp", 4);
    if (tmp)
        tmp->mode = S_IFDIR | 01777;
    node_mkdirs("/root", 5);
    node_mkdirs("/etc", 4);
}

/* A program on the image's disk: its record's node, whatever later
 * covers its path (a share mounted over the directory, say). */
static struct node *disk_program;

struct node *vfs_disk_program(void)
{
    if (disk_program)
        node_get(disk_program);
    return disk_program;
}

/* Keeps N when it is the record of the image's program on the disk. */
static void keep_disk_program(const struct gorump_image *img,
                              const struct gorump_file *rec, struct node *n)
{
    const char *e = img->exe_path;
    if (img->program_size || !e || !rec->on_disk ||
        strlen(e) != rec->path_len || memcmp(e, rec->path, rec->path_len))
        return;
    if (disk_program)
        node_put(disk_program);
    node_get(n);
    disk_program = n;
}

static int load_record(const struct gorump_image *img,
                       const struct gorump_file *rec)
{
    struct node *n = node_new(rec->mode);
    if (!n)
        return -ENOMEM;
    n->uid = rec->uid;
    n->gid = rec->gid;
    n->mtime = n->ctime =
        (struct linux_timespec){rec->mtime_sec, rec->mtime_nsec};
    n->atime = (struct linux_timespec){rec->atime_sec, rec->atime_nsec};
    if (S_ISREG(rec->mode) && rec->on_disk) {
        if (diskfile_attach(n, rec->disk_offset, rec->size)) {
            node_put(n);
            return -ENOMEM;
        }
    } else if (S_ISREG(rec->mode)) {
        n->image_data = rec->data;
        n->size = n->image_size = rec->size;
    } else if (S_ISLNK(rec->mode)) {
        n->link = kmalloc(rec->size + 1);
        if (!n->link) {
            node_put(n);
            return -ENOMEM;
        }
        memcpy(n->link, rec->data, rec->size);
        n->link[rec->size] = '\0';
        n->size = rec->size;
    }
    int err = node_place(rec->path, rec->path_len, n);
    if (!err)
        keep_disk_program(img, rec, n);
    node_put(n);
    return err;
}

/* The node at absolute PATH (LEN bytes), not following links; NULL if
 * there is none. */
static struct node *walk(const char *path, size_t len)
{
    struct node *n = node_root();
    for (size_t i = 1, start = 1; n && i <= len; i++) {
        if (i < len && path[i] != '/')
            continue;
        n = S_ISDIR(n->mode) ? dir_lookup(n, path + start, i - start) : NULL;
        start = i + 1;
    }
    return n;
}

/* A directory record's times, once everything below it was placed (each
 * entry linked into a directory stamps its mtime with the boot time). */
static void dir_times(const struct gorump_file *rec)
{
    struct node *n = walk(rec->path, rec->path_len);
    if (!S_ISDIR(rec->mode) || !n || !S_ISDIR(n->mode))
        return;
    n->mtime = n->ctime =
        (struct linux_timespec){rec->mtime_sec, rec->mtime_nsec};
    n->atime = (struct linux_timespec){rec->atime_sec, rec->atime_nsec};
}

int vfs_load_image(const struct gorump_image *img)
{
    struct gorump_file rec;
    struct gorump_file_cursor cursor = {0, 0};
    int r;
    while ((r = gorump_image_next_file(img, &cursor, &rec)) == 1) {
        int err = load_record(img, &rec);
        /* Out of memory here is out of it for good: the guest is too
         * small for the tree, and the caller refuses the boot. */
        if (err == -ENOMEM)
            return -ENOMEM;
        if (err)
            kprintf("gorump: image: cannot place %.*s (error %d)\n",
                    (int)rec.path_len, rec.path, err);
    }
    /* A program on the disk is the record at exe_path, placed above. */
    if (img->exe_path && img->program_size) {
        struct node *n = node_new(S_IFREG | 0755);
        if (n) {
            n->image_data = img->program;
            n->size = n->image_size = img->program_size;
            node_place(img->exe_path, strlen(img->exe_path), n);
            node_put(n);
        }
    }
    /* In record order, so the later of two records of a path wins. */
    cursor = (struct gorump_file_cursor){0, 0};
    while (r == 0 && gorump_image_next_file(img, &cursor, &rec) == 1)
        dir_times(&rec);
    return r;
}
