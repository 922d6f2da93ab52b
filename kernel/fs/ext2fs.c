/*
 * fs/ext2fs.c — ext2 volumes as mounted file systems: the backend
 * (fs/mount.h) over the ext2 library (fs/ext2/ext2.h) on a virtio-blk
 * disk found by its id (docs/STORAGE.md, "Volumes").  The library is by
 * inode number already, so each operation is one library call and a
 * getattr for the attributes the layer wants back.  A file unlinked
 * while the layer still has its node (open or mapped) stays as an orphan
 * until the layer forgets the node.  sync, fsync and unmount write the
 * library's metadata back in its order and flush the disk's cache; the
 * kernel is one CPU and never preempted in here, so calls are already
 * serialised as the library wants.
 */
#include "fs/ext2/ext2_blkdev.h"
#include "fs/mount.h"
#include "mm/mm.h"

#define EXT2_F_TYPE 0xEF53 /* statfs(2)'s f_type: EXT2_SUPER_MAGIC */

struct ext2vol {
    struct ext2_fs fs; /* about 140 KiB */
    struct ext2_blkdev bd;
    struct mount *m;
    bool unmounted;
};

static struct ext2vol *vol(struct mount *m)
{
    return m->priv;
}

static struct ext2_fs *efs(struct mount *m)
{
    return &vol(m)->fs;
}

static int64_t now_s(void)
{
    return (int64_t)(clock_real_ns() / 1000000000ULL);
}

static int ev_getattr(struct mount *m, uint64_t ino, struct fs_attr *a)
{
    struct ext2_stat st;
    if (ino > UINT32_MAX)
        return -ESTALE;
    int err = ext2_getattr(efs(m), (uint32_t)ino, &st);
    if (err)
        return err;
    *a = (struct fs_attr){.ino = st.ino,
                          .mode = st.mode,
                          .uid = st.uid,
                          .gid = st.gid,
                          .nlink = st.nlink,
                          .size = st.size,
                          .blocks = st.blocks,
                          .rdev = st.rdev,
                          .atime = {st.atime, 0},
                          .mtime = {st.mtime, 0},
                          .ctime = {st.ctime, 0}};
    return 0;
}

/* The attributes of a new or found inode, or the error that came
 * first. */
static int attr_of(struct mount *m, int err, uint32_t ino, struct fs_attr *a)
{
    return err ? err : ev_getattr(m, ino, a);
}

static int ev_root(struct mount *m, struct fs_attr *a)
{
    vol(m)->m = m;
    return ev_getattr(m, EXT2_ROOT_INO, a);
}

static int ev_lookup(struct mount *m, uint64_t dir, const char *name,
                     size_t len, struct fs_attr *a)
{
    uint32_t ino = 0;
    int err = ext2_lookup(efs(m), (uint32_t)dir, name, len, &ino);
    return attr_of(m, err, ino, a);
}

static int ev_setattr(struct mount *m, uint64_t ino, const struct fs_setattr *s)
{
    struct ext2_stat st = {.mode = (uint16_t)s->mode,
                           .uid = s->uid,
                           .gid = s->gid,
                           .size = s->size,
                           .atime = s->atime.tv_sec,
                           .mtime = s->mtime.tv_sec};
    unsigned mask = 0;
    mask |= s->mask & FS_SET_MODE ? EXT2_SET_MODE : 0;
    mask |= s->mask & FS_SET_UID ? EXT2_SET_UID : 0;
    mask |= s->mask & FS_SET_GID ? EXT2_SET_GID : 0;
    mask |= s->mask & FS_SET_SIZE ? EXT2_SET_SIZE : 0;
    if (s->mask & (FS_SET_ATIME | FS_SET_ATIME_NOW))
        mask |= EXT2_SET_ATIME;
    if (s->mask & (FS_SET_MTIME | FS_SET_MTIME_NOW))
        mask |= EXT2_SET_MTIME;
    if (s->mask & FS_SET_ATIME_NOW)
        st.atime = now_s();
    if (s->mask & FS_SET_MTIME_NOW)
        st.mtime = now_s();
    /* Every change sets ctime to now (the library does): FS_SET_CTIME
     * alone is a setattr with nothing else. */
    return ext2_setattr(efs(m), (uint32_t)ino, &st, mask);
}

static long ev_read(struct mount *m, uint64_t ino, void *buf, size_t len,
                    uint64_t off)
{
    return ext2_read(efs(m), (uint32_t)ino, off, buf, len);
}

static long ev_write(struct mount *m, uint64_t ino, const void *buf, size_t len,
                     uint64_t off)
{
    return ext2_write(efs(m), (uint32_t)ino, off, buf, len);
}

static int ev_create(struct mount *m, uint64_t dir, const char *name,
                     size_t len, uint32_t mode, struct fs_attr *a)
{
    uint32_t ino = 0;
    int err = ext2_mknod(efs(m), (uint32_t)dir, name, len, mode, 0, 0, 0, &ino);
    return attr_of(m, err, ino, a);
}

static int ev_mkdir(struct mount *m, uint64_t dir, const char *name, size_t len,
                    uint32_t mode, struct fs_attr *a)
{
    uint32_t ino = 0;
    int err = ext2_mkdir(efs(m), (uint32_t)dir, name, len, mode, 0, 0, &ino);
    return attr_of(m, err, ino, a);
}

static int ev_symlink(struct mount *m, uint64_t dir, const char *name,
                      size_t len, const char *target, struct fs_attr *a)
{
    uint32_t ino = 0;
    int err = ext2_symlink(efs(m), (uint32_t)dir, name, len, target,
                           strlen(target), 0, 0, &ino);
    return attr_of(m, err, ino, a);
}

static long ev_readlink(struct mount *m, uint64_t ino, char *buf, size_t size)
{
    long r = ext2_readlink(efs(m), (uint32_t)ino, buf, size - 1);
    if (r >= 0)
        buf[r] = '\0';
    return r;
}

static int ev_link(struct mount *m, uint64_t ino, uint64_t dir,
                   const char *name, size_t len)
{
    return ext2_link(efs(m), (uint32_t)ino, (uint32_t)dir, name, len);
}

static int ev_unlink(struct mount *m, uint64_t dir, const char *name,
                     size_t len, bool is_dir)
{
    return is_dir ? ext2_rmdir(efs(m), (uint32_t)dir, name, len)
                  : ext2_unlink(efs(m), (uint32_t)dir, name, len);
}

static int ev_rename(struct mount *m, uint64_t odir, const char *oname,
                     size_t olen, uint64_t ndir, const char *nname, size_t nlen)
{
    return ext2_rename(efs(m), (uint32_t)odir, oname, olen, (uint32_t)ndir,
                       nname, nlen);
}

struct readdir_ctx {
    fs_filldir_fn fill;
    void *ctx;
};

static int emit(void *arg, const char *name, size_t len, uint32_t ino,
                unsigned type, uint64_t next)
{
    struct readdir_ctx *r = arg;
    struct fs_dirent d = {ino, next, (uint8_t)type, name, len};
    return r->fill(r->ctx, &d) ? 0 : 1;
}

static int ev_readdir(struct mount *m, uint64_t dir, uint64_t cookie,
                      fs_filldir_fn fill, void *ctx)
{
    struct readdir_ctx r = {fill, ctx};
    return ext2_readdir(efs(m), (uint32_t)dir, &cookie, emit, &r);
}

static int ev_fsync(struct mount *m, uint64_t ino)
{
    return m->ro ? 0 : ext2_fsync(efs(m), (uint32_t)ino);
}

static int ev_sync(struct mount *m)
{
    return m->ro ? 0 : ext2_sync(efs(m));
}

static int ev_statfs(struct mount *m, struct fs_statfs *s)
{
    struct ext2_statfs st;
    ext2_statfs(efs(m), &st);
    *s = (struct fs_statfs){.type = EXT2_F_TYPE,
                            .bsize = st.bsize,
                            .blocks = st.blocks,
                            .bfree = st.bfree,
                            .bavail = st.bavail,
                            .files = st.files,
                            .ffree = st.ffree,
                            .namelen = st.namelen};
    return 0;
}

/* The layer dropped the node: an orphan's inode goes now. */
static void ev_forget(struct mount *m, uint64_t ino)
{
    if (m->ro || vol(m)->unmounted)
        return;
    int err = ext2_release(efs(m), (uint32_t)ino);
    if (err)
        kprintf("gorump: %s: freeing unlinked inode %lu failed (error %d)\n",
                m->source, (unsigned long)ino, -err);
}

static int ev_unmount(struct mount *m)
{
    struct ext2vol *v = vol(m);
    if (v->unmounted)
        return 0;
    v->unmounted = true;
    return ext2_unmount(&v->fs);
}

/* The layer still has a node of ino: its last unlink leaves an orphan. */
static bool ev_held(void *ctx, uint32_t ino)
{
    struct ext2vol *v = ctx;
    return v->m && mount_ino_cached(v->m, ino);
}

static const struct fs_backend_ops ext2fs_ops = {
    .type = "ext2",
    .cache = true,
    .root = ev_root,
    .lookup = ev_lookup,
    .getattr = ev_getattr,
    .setattr = ev_setattr,
    .read = ev_read,
    .write = ev_write,
    .create = ev_create,
    .mkdir = ev_mkdir,
    .symlink = ev_symlink,
    .readlink = ev_readlink,
    .link = ev_link,
    .unlink = ev_unlink,
    .rename = ev_rename,
    .readdir = ev_readdir,
    .fsync = ev_fsync,
    .statfs = ev_statfs,
    .forget = ev_forget,
    .sync = ev_sync,
    .unmount = ev_unmount,
};

int ext2fs_mount(const char *serial, const char *path, bool ro)
{
    struct blkdev *b = blkdev_find(serial);
    if (!b)
        return -ENODEV;
    struct ext2vol *v = kzalloc(sizeof(*v));
    if (!v)
        return -ENOMEM;
    struct ext2_dev dev;
    int err = ext2_blkdev_init(&v->bd, b, &dev);
    ro = ro || b->readonly;
    if (!err)
        err = ext2_mount(&v->fs, &dev, ro ? EXT2_MOUNT_RDONLY : 0);
    if (err && v->fs.msg)
        kprintf("gorump: volume %s: %s\n", serial, v->fs.msg);
    if (!err) {
        v->fs.held = ev_held;
        v->fs.held_ctx = v;
        err = mount_add(path, &ext2fs_ops, v, serial, ro);
        if (err && !ro)
            ext2_unmount(&v->fs); /* clean again, nothing changed */
    }
    if (err) {
        ext2_blkdev_fini(&v->bd);
        kfree(v);
    }
    return err;
}
