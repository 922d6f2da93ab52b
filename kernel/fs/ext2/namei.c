/*
 * fs/ext2/namei.c — changes to the name space: new inodes (files, device
 * nodes, directories, symbolic links), links, unlink, rmdir and rename,
 * with the errors rename(2), unlink(2) and friends give.  Each step is
 * ordered for a crash (docs/STORAGE.md): a new inode is complete before
 * its name is added; a name is removed, and written back, before the
 * inode it named is freed; rename points the new name at the inode
 * before it removes the old one.  With a journal those write-backs are
 * left out (ext2_order) and each change is one transaction: it starts
 * with room for it in the cache (ext2_jnl_room), so no eviction commits
 * half of it, and is committed before it returns (as Linux's dirsync
 * mount: a program may count on a name change it saw done, such as
 * SQLite on the unlink of its rollback journal).
 */
#include "fs/ext2/ext2_int.h"

static bool is_dot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') ||
           (len == 2 && name[0] == '.' && name[1] == '.');
}

/* The checks common to every new name in dir. */
static int new_name_ok(struct ext2_fs *fs, uint32_t dir, const char *name,
                       size_t len)
{
    struct ext2_dirpos pos;
    int err = ext2_name_ok(name, len);
    if (err)
        return err;
    if (is_dot(name, len))
        return -EEXIST;
    err = ext2_dir_find(fs, dir, name, len, &pos);
    if (!err)
        return -EEXIST;
    if (err != -ENOENT)
        return err;
    return fs->rdonly ? -EROFS : ext2_jnl_room(fs);
}

/* A change to the name space done (err 0): committed, with a journal. */
static int dirsync(struct ext2_fs *fs, int err)
{
    bool committed;
    return err || !fs->jnl.on ? err : ext2_jnl_commit(fs, &committed);
}

static int links_add(struct ext2_fs *fs, uint32_t ino, int delta)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    in.links = (uint16_t)(in.links + delta);
    ext2_touch(fs, &in, false, true);
    return ext2_iwrite(fs, ino, &in);
}

/* Frees an inode that no name leads to any more (its entry written
 * back first); a file the caller holds open becomes an orphan instead,
 * with no links and no deletion time, freed by ext2_release.  A crash
 * leaves it to e2fsck, which frees such an inode by itself. */
static int inode_drop(struct ext2_fs *fs, uint32_t ino)
{
    struct ext2_inode in;
    int err = ext2_order(fs);
    if (!err)
        err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    if (!IS_DIR(in.mode) && fs->held && fs->held(fs->held_ctx, ino)) {
        in.links = 0;
        ext2_touch(fs, &in, false, true);
        return ext2_iwrite(fs, ino, &in);
    }
    if (IS_DIR(in.mode))
        in.links = 1; /* its "." goes with it */
    return ext2_iput_link(fs, ino, &in);
}

int ext2_release(struct ext2_fs *fs, uint32_t ino)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err || in.links)
        return err == -ESTALE ? 0 : err;
    if (fs->rdonly)
        return -EROFS;
    if ((err = ext2_jnl_room(fs)) || (err = ext2_order(fs)))
        return err;
    return ext2_iput_link(fs, ino, &in);
}

/* A new inode with its first content from fill (NULL: none). */
static int inode_new(struct ext2_fs *fs, uint32_t dir, const char *name,
                     size_t len, struct ext2_inode *in, uint32_t *ino,
                     int (*fill)(struct ext2_fs *, uint32_t,
                                 struct ext2_inode *, const void *),
                     const void *arg)
{
    int err = new_name_ok(fs, dir, name, len);
    if (err)
        return err;
    bool isdir = IS_DIR(in->mode);
    if (isdir) {
        struct ext2_inode d;
        if ((err = ext2_iget(fs, dir, &d)))
            return err;
        if (d.links >= EXT2_LINK_MAX)
            return -EMLINK;
    }
    if ((err = ext2_ialloc(fs, dir, isdir, ino)))
        return err;
    in->atime = in->mtime = in->ctime = (uint32_t)ext2_now(fs);
    /* Written first with no links (and no deletion time), then the
     * entry, then the links: a crash before the entry leaves an inode
     * e2fsck -p frees by itself, never an unattached one it asks about
     * (docs/STORAGE.md, "Crash safety"). */
    in->links = 0;
    err = ext2_iinit(fs, *ino, in);
    if (!err && fill && !(err = fill(fs, *ino, in, arg)))
        err = ext2_iwrite(fs, *ino, in);
    if (!err)
        err = ext2_dir_add(fs, dir, name, len, *ino, in->mode);
    if (!err && isdir)
        err = links_add(fs, dir, 1);
    if (!err)
        err = ext2_order(fs);
    if (!err) {
        in->links = isdir ? 2 : 1;
        err = ext2_iwrite(fs, *ino, in);
    }
    if (err) {
        in->links = 1;
        ext2_iput_link(fs, *ino, in);
    }
    return dirsync(fs, err);
}

static int fill_dir(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                    const void *arg)
{
    return ext2_dir_init(fs, ino, in, *(const uint32_t *)arg);
}

int ext2_mknod(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
               uint32_t mode, uint32_t uid, uint32_t gid, uint32_t rdev,
               uint32_t *ino)
{
    struct ext2_inode in = {.mode = (uint16_t)mode, .uid = uid, .gid = gid};
    uint32_t type = mode & S_IFMT_;
    if (type == S_IFCHR_ || type == S_IFBLK_)
        in.block[1] = rdev; /* Linux's new encoding, in i_block[1] */
    else if (type != S_IFREG_ && type != S_IFIFO_ && type != S_IFSOCK_)
        return -EINVAL;
    return inode_new(fs, dir, name, len, &in, ino, NULL, NULL);
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino)
{
    return ext2_mknod(fs, dir, name, len, S_IFREG_ | (mode & 07777), uid, gid,
                      0, ino);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
               uint32_t mode, uint32_t uid, uint32_t gid, uint32_t *ino)
{
    struct ext2_inode in = {
        .mode = (uint16_t)(S_IFDIR_ | (mode & 07777)), .uid = uid, .gid = gid};
    return inode_new(fs, dir, name, len, &in, ino, fill_dir, &dir);
}

struct link_text {
    const char *s;
    size_t len;
};

/* A symbolic link's target: in block[] when shorter than it (a fast
 * link), else in a block of its own, written before the inode is. */
static int fill_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                     const void *arg)
{
    const struct link_text *t = arg;
    in->size = t->len;
    if (t->len < sizeof(in->block)) {
        uint8_t text[sizeof(in->block)] = {0};
        memcpy(text, t->s, t->len);
        for (int i = 0; i < N_BLOCKS; i++)
            in->block[i] = get32(text + 4 * i);
        return 0;
    }
    uint32_t blk;
    bool fresh;
    int err = ext2_bmap(fs, ino, in, 0, true, &blk, &fresh);
    if (err)
        return err;
    memset(fs->scratch, 0, fs->bsize);
    memcpy(fs->scratch, t->s, t->len);
    return fs->dev.write(fs->dev.ctx, (uint64_t)blk << fs->bshift, fs->scratch,
                         fs->bsize);
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
                 const char *target, size_t tlen, uint32_t uid, uint32_t gid,
                 uint32_t *ino)
{
    if (!tlen)
        return -ENOENT;
    if (tlen >= fs->bsize)
        return -ENAMETOOLONG;
    struct ext2_inode in = {.mode = S_IFLNK_ | 0777, .uid = uid, .gid = gid};
    struct link_text t = {target, tlen};
    return inode_new(fs, dir, name, len, &in, ino, fill_link, &t);
}

static int namei_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir,
                      const char *name, size_t len)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    if (IS_DIR(in.mode))
        return -EPERM;
    if (!in.links)
        return -ENOENT; /* an orphan: linkat(2) on an unlinked file */
    if (in.links >= EXT2_LINK_MAX)
        return -EMLINK;
    if ((err = new_name_ok(fs, dir, name, len)))
        return err;
    if ((err = links_add(fs, ino, 1)))
        return err;
    err = ext2_dir_add(fs, dir, name, len, ino, in.mode);
    if (err) {
        links_add(fs, ino, -1);
        return err;
    }
    /* On disk before another name of it can go: a write-back writes
     * directory blocks in no order among themselves, and a crash
     * between a removal and this entry would leave the inode with no
     * name. */
    return ext2_order(fs);
}

/* The inode name leads to in dir, for a removal. */
static int victim(struct ext2_fs *fs, uint32_t dir, const char *name,
                  size_t len, uint32_t *ino, struct ext2_inode *in)
{
    int err = ext2_name_ok(name, len);
    if (!err)
        err = ext2_lookup(fs, dir, name, len, ino);
    if (!err)
        err = ext2_iget(fs, *ino, in);
    if (!err && fs->rdonly)
        err = -EROFS;
    return err ? err : ext2_jnl_room(fs);
}

static int namei_unlink(struct ext2_fs *fs, uint32_t dir, const char *name,
                        size_t len)
{
    struct ext2_inode in;
    uint32_t ino;
    int err = victim(fs, dir, name, len, &ino, &in);
    if (err)
        return err;
    if (IS_DIR(in.mode))
        return -EISDIR;
    /* The link goes before the entry (a write-back writes inode tables
     * before directories): a crash between leaves an entry to an inode
     * with a link too few, or none, which e2fsck -p repairs by itself,
     * never an unattached inode. */
    in.links--;
    ext2_touch(fs, &in, false, true);
    if ((err = ext2_iwrite(fs, ino, &in)))
        return err;
    if ((err = ext2_dir_remove(fs, dir, name, len, ino))) {
        in.links++;
        ext2_iwrite(fs, ino, &in);
        return err;
    }
    return in.links ? 0 : inode_drop(fs, ino);
}

static int namei_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name,
                       size_t len)
{
    if (len == 1 && name[0] == '.')
        return -EINVAL;
    if (len == 2 && name[0] == '.' && name[1] == '.')
        return -ENOTEMPTY;
    struct ext2_inode in;
    uint32_t ino;
    int err = victim(fs, dir, name, len, &ino, &in);
    if (err)
        return err;
    if (!IS_DIR(in.mode))
        return -ENOTDIR;
    if ((err = ext2_dir_empty(fs, ino)) != 1)
        return err ? err : -ENOTEMPTY;
    /* No links before the entry goes, as ext2_unlink. */
    uint16_t links = in.links;
    in.links = 0;
    if ((err = ext2_iwrite(fs, ino, &in)))
        return err;
    if ((err = ext2_dir_remove(fs, dir, name, len, ino))) {
        in.links = links;
        ext2_iwrite(fs, ino, &in);
        return err;
    }
    if ((err = links_add(fs, dir, -1)))
        return err;
    return inode_drop(fs, ino);
}

/* -EINVAL if dir is ino or lies below it (rename(2): a directory cannot
 * move into itself); the walk up ".." is bounded, so a cycle in a broken
 * image ends. */
static int not_below(struct ext2_fs *fs, uint32_t dir, uint32_t ino)
{
    for (uint32_t steps = 0; steps < 65536; steps++) {
        if (dir == ino)
            return -EINVAL;
        if (dir == EXT2_ROOT_INO)
            return 0;
        uint32_t up;
        int err = ext2_lookup(fs, dir, "..", 2, &up);
        if (err)
            return err == -ENOENT ? -EUCLEAN : err;
        if (up == dir)
            return -EUCLEAN;
        dir = up;
    }
    return -EUCLEAN;
}

/* What the new name holds now (*tino 0: nothing), and whether src may
 * replace it. */
static int rename_target(struct ext2_fs *fs, uint32_t ndir, const char *name,
                         size_t len, uint32_t sino,
                         const struct ext2_inode *src, uint32_t *tino,
                         bool *tdir)
{
    struct ext2_dirpos pos;
    struct ext2_inode t;
    *tino = 0;
    *tdir = false;
    int err = ext2_dir_find(fs, ndir, name, len, &pos);
    if (err)
        return err == -ENOENT ? 0 : err;
    *tino = pos.ino;
    if (pos.ino == sino)
        return 0; /* two names of one inode: nothing to do */
    if ((err = ext2_iget(fs, pos.ino, &t)))
        return err;
    *tdir = IS_DIR(t.mode);
    if (IS_DIR(src->mode) && !*tdir)
        return -ENOTDIR;
    if (!IS_DIR(src->mode) && *tdir)
        return -EISDIR;
    if (*tdir && (err = ext2_dir_empty(fs, pos.ino)) != 1)
        return err ? err : -ENOTEMPTY;
    return 0;
}

/* The directory moved from odir to ndir: its ".." and the parents' link
 * counts follow. */
static int rename_dir_links(struct ext2_fs *fs, uint32_t ino, uint32_t odir,
                            uint32_t ndir, bool tdir)
{
    int err = 0;
    if (odir != ndir) {
        err = ext2_dir_set(fs, ino, "..", 2, ndir, S_IFDIR_);
        if (!err)
            err = links_add(fs, odir, -1);
        if (!err)
            err = links_add(fs, ndir, 1);
    }
    if (!err && tdir)
        err = links_add(fs, ndir, -1);
    return err;
}

static int namei_rename(struct ext2_fs *fs, uint32_t odir, const char *oname,
                        size_t olen, uint32_t ndir, const char *nname,
                        size_t nlen)
{
    struct ext2_inode src;
    uint32_t sino, tino;
    bool tdir;
    if (is_dot(oname, olen) || is_dot(nname, nlen))
        return -EINVAL;
    int err = victim(fs, odir, oname, olen, &sino, &src);
    if (!err)
        err = ext2_name_ok(nname, nlen);
    bool sdir = !err && IS_DIR(src.mode);
    /* Before the types are compared, as Linux's rename. */
    if (!err && sdir && odir != ndir)
        err = not_below(fs, ndir, sino);
    if (!err)
        err = rename_target(fs, ndir, nname, nlen, sino, &src, &tino, &tdir);
    if (err || tino == sino)
        return err;
    if (sdir && odir != ndir && !tino) {
        struct ext2_inode d;
        if ((err = ext2_iget(fs, ndir, &d)))
            return err;
        if (d.links >= EXT2_LINK_MAX)
            return -EMLINK;
    }
    /* The new name first: a crash between the two leaves both names
     * (e2fsck counts the links), never neither. */
    err = tino ? ext2_dir_set(fs, ndir, nname, nlen, sino, src.mode)
               : ext2_dir_add(fs, ndir, nname, nlen, sino, src.mode);
    /* Written back first: directory blocks go in no order among
     * themselves. */
    if (!err)
        err = ext2_order(fs);
    if (!err)
        err = ext2_dir_remove(fs, odir, oname, olen, sino);
    if (!err && sdir)
        err = rename_dir_links(fs, sino, odir, ndir, tdir);
    if (!err)
        err = links_add(fs, sino, 0); /* ctime, as Linux's ext2 */
    if (err || !tino)
        return err;
    struct ext2_inode t;
    if ((err = ext2_iget(fs, tino, &t)))
        return err;
    return !tdir && t.links > 1 ? links_add(fs, tino, -1)
                                : inode_drop(fs, tino);
}

int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name,
              size_t len)
{
    return dirsync(fs, namei_link(fs, ino, dir, name, len));
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
    return dirsync(fs, namei_unlink(fs, dir, name, len));
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len)
{
    return dirsync(fs, namei_rmdir(fs, dir, name, len));
}

int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname,
                size_t olen, uint32_t ndir, const char *nname, size_t nlen)
{
    return dirsync(fs, namei_rename(fs, odir, oname, olen, ndir, nname, nlen));
}
