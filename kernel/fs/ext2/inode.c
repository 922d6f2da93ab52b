/*
 * fs/ext2/inode.c — inodes: finding one in its group's inode table,
 * decoding the first 128 bytes into struct ext2_inode and back (the rest
 * of a larger inode, the extra fields ext4 uses, is left as it is, and
 * zeroed in a new inode, as Linux's ext2 does), attributes, truncation
 * and the release of an inode whose last link goes.
 */
#include "fs/ext2/ext2_int.h"

/* The inode table block holding ino, pinned; *at is its offset. */
static struct ext2_buf *inode_buf(struct ext2_fs *fs, uint32_t ino,
                                  uint32_t *at, int *err)
{
    if (ino < 1 || ino > fs->inodes) {
        *err = -EINVAL;
        return NULL;
    }
    uint32_t g = (ino - 1) / fs->ipg, gat;
    uint64_t off = (uint64_t)((ino - 1) % fs->ipg) * fs->isize;
    struct ext2_buf *gb = ext2_group(fs, g, &gat, err);
    if (!gb)
        return NULL;
    uint32_t table = get32(gb->data + gat + GD_INODE_TABLE);
    ext2_brelse(fs, gb);
    *at = (uint32_t)(off & (fs->bsize - 1));
    return ext2_bread(fs, table + (off >> fs->bshift), CLS_META, err);
}

static void inode_decode(const uint8_t *p, struct ext2_inode *in)
{
    in->mode = get16(p + 0);
    in->uid = get16(p + 2) | (uint32_t)get16(p + 120) << 16;
    in->gid = get16(p + 24) | (uint32_t)get16(p + 122) << 16;
    in->size = get32(p + 4);
    if (IS_REG(in->mode))
        in->size |= (uint64_t)get32(p + 108) << 32;
    in->atime = get32(p + 8);
    in->ctime = get32(p + 12);
    in->mtime = get32(p + 16);
    in->dtime = get32(p + 20);
    in->links = get16(p + 26);
    in->blocks = get32(p + 28);
    in->flags = get32(p + 32);
    for (int i = 0; i < N_BLOCKS; i++)
        in->block[i] = get32(p + 40 + 4 * i);
    in->generation = get32(p + 100);
    in->file_acl = get32(p + 104);
}

static void inode_encode(uint8_t *p, const struct ext2_inode *in)
{
    put16(p + 0, in->mode);
    put16(p + 2, in->uid);
    put16(p + 120, in->uid >> 16);
    put16(p + 24, in->gid);
    put16(p + 122, in->gid >> 16);
    put32(p + 4, (uint32_t)in->size);
    if (IS_REG(in->mode))
        put32(p + 108, (uint32_t)(in->size >> 32));
    put32(p + 8, in->atime);
    put32(p + 12, in->ctime);
    put32(p + 16, in->mtime);
    put32(p + 20, in->dtime);
    put16(p + 26, in->links);
    put32(p + 28, in->blocks);
    put32(p + 32, in->flags);
    for (int i = 0; i < N_BLOCKS; i++)
        put32(p + 40 + 4 * i, in->block[i]);
    put32(p + 100, in->generation);
    put32(p + 104, in->file_acl);
}

int ext2_iread(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
    uint32_t at;
    int err;
    struct ext2_buf *b = inode_buf(fs, ino, &at, &err);
    if (!b)
        return err;
    inode_decode(b->data + at, in);
    ext2_brelse(fs, b);
    return 0;
}

static int inode_store(struct ext2_fs *fs, uint32_t ino,
                       const struct ext2_inode *in, bool fresh)
{
    uint32_t at;
    int err;
    struct ext2_buf *b = inode_buf(fs, ino, &at, &err);
    if (!b)
        return err;
    err = ext2_bdirty(fs, b, CLS_META);
    if (!err) {
        if (fresh)
            memset(b->data + at, 0, fs->isize);
        inode_encode(b->data + at, in);
    }
    ext2_brelse(fs, b);
    return err;
}

int ext2_iwrite(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
    /* A file over 2 GiB needs large_file (RO_COMPAT): set it once (a
     * revision 0 file system has no feature fields to set). */
    if (in->size > 0x7fffffff && !(fs->feat_ro_compat & RO_COMPAT_LARGE_FILE) &&
        get32(fs->sb + SB_REV) >= 1) {
        fs->feat_ro_compat |= RO_COMPAT_LARGE_FILE;
        put32(fs->sb + SB_RO_COMPAT, fs->feat_ro_compat);
        fs->sb_dirty = true;
    }
    return inode_store(fs, ino, in, false);
}

int ext2_iinit(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
    return inode_store(fs, ino, in, true);
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
    if (ino < 1 || ino > fs->inodes)
        return -EINVAL;
    if (ino != EXT2_ROOT_INO && ino < fs->first_ino)
        return -EUCLEAN; /* reserved: never a name's inode */
    int err = ext2_iread(fs, ino, in);
    if (err)
        return err;
    /* A free inode has a deletion time; an orphan (links 0, dtime 0)
     * is still in use by whoever holds it open. */
    if (!in->mode || (!in->links && in->dtime))
        return -ESTALE;
    return 0;
}

void ext2_touch(struct ext2_fs *fs, struct ext2_inode *in, bool m, bool c)
{
    uint32_t now = (uint32_t)ext2_now(fs);
    if (m)
        in->mtime = now;
    if (c)
        in->ctime = now;
}

bool ext2_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *in)
{
    uint32_t ea = in->file_acl ? fs->bsize / 512 : 0;
    return IS_LNK(in->mode) && in->blocks == ea;
}

int ext2_add_blocks(struct ext2_fs *fs, struct ext2_inode *in, int n)
{
    int64_t v = (int64_t)in->blocks + (int64_t)n * (fs->bsize / 512);
    if (v < 0 || v > UINT32_MAX)
        return n > 0 ? -EFBIG : -EUCLEAN;
    in->blocks = (uint32_t)v;
    return 0;
}

/* Whether block[] holds block pointers (not a device number or a fast
 * symbolic link's text). */
static bool has_blocks(struct ext2_fs *fs, const struct ext2_inode *in)
{
    return IS_REG(in->mode) || IS_DIR(in->mode) ||
           (IS_LNK(in->mode) && !ext2_fast_symlink(fs, in));
}

/* The extended-attribute block loses a user (freed with the last). */
static int xattr_release(struct ext2_fs *fs, struct ext2_inode *in)
{
    int err;
    if (!in->file_acl || !ext2_data_blk_ok(fs, in->file_acl))
        return 0;
    struct ext2_buf *b = ext2_bread(fs, in->file_acl, CLS_META, &err);
    if (!b)
        return err;
    uint32_t refs = get32(b->data + 4);
    err = 0;
    if (get32(b->data) != 0xea020000) { /* not an xattr block: leave it */
        ext2_brelse(fs, b);
        return 0;
    }
    if (refs > 1 && !(err = ext2_bdirty(fs, b, CLS_META)))
        put32(b->data + 4, refs - 1);
    ext2_brelse(fs, b);
    if (!err && refs <= 1)
        err = ext2_bfree(fs, in->file_acl);
    in->file_acl = 0;
    return err;
}

int ext2_iput_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in)
{
    if (in->links > 1) {
        in->links--;
        ext2_touch(fs, in, false, true);
        return ext2_iwrite(fs, ino, in);
    }
    bool dir = IS_DIR(in->mode);
    int err = has_blocks(fs, in) ? ext2_free_from(fs, in, 0) : 0;
    if (!err)
        err = xattr_release(fs, in);
    in->links = 0;
    /* e2fsck reads a dtime of 0 as an inode in use, and one below the
     * inode count as a link of an orphan list (pass 1's "low dtime"
     * check, which -p does not repair): a guest whose clock starts at
     * 1970 (no RTC, as under Firecracker) must leave neither. */
    in->dtime = (uint32_t)MAX(ext2_now(fs), (int64_t)fs->inodes);
    in->size = 0;
    int err2 = ext2_iwrite(fs, ino, in);
    if (!err && !err2)
        err = ext2_ifree(fs, ino, dir);
    return err ? err : err2;
}

int ext2_getattr(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    st->ino = ino;
    st->mode = in.mode;
    st->nlink = in.links;
    st->uid = in.uid;
    st->gid = in.gid;
    st->size = in.size;
    st->blocks = in.blocks;
    st->rdev = 0;
    if ((in.mode & S_IFMT_) == S_IFCHR_ || (in.mode & S_IFMT_) == S_IFBLK_)
        st->rdev = in.block[0] ? in.block[0] : in.block[1];
    st->atime = in.atime;
    st->mtime = in.mtime;
    st->ctime = in.ctime;
    return 0;
}

/* Zeroes the rest of the block that holds byte size, so that growing the
 * file again shows zeros there. */
static int trunc_tail(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                      uint64_t size)
{
    uint32_t part = (uint32_t)(size & (fs->bsize - 1)), blk;
    bool fresh;
    if (!part || size >= in->size)
        return 0;
    int err = ext2_bmap(fs, ino, in, (uint32_t)(size >> fs->bshift), false,
                        &blk, &fresh);
    if (err || !blk)
        return err;
    uint64_t off = (uint64_t)blk << fs->bshift;
    err = fs->dev.read(fs->dev.ctx, off, fs->scratch, fs->bsize);
    if (err)
        return err;
    memset(fs->scratch + part, 0, fs->bsize - part);
    return fs->dev.write(fs->dev.ctx, off, fs->scratch, fs->bsize);
}

static int trunc_inode(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                       uint64_t size)
{
    if (IS_DIR(in->mode))
        return -EISDIR;
    if (!IS_REG(in->mode))
        return -EINVAL;
    if (fs->rdonly)
        return -EROFS;
    if (size > ext2_max_blocks(fs) << fs->bshift)
        return -EFBIG;
    int err = ext2_jnl_room(fs);
    if (!err)
        err = trunc_tail(fs, ino, in, size);
    if (!err && size < in->size) {
        uint64_t keep = (size + fs->bsize - 1) >> fs->bshift;
        err = ext2_free_from(fs, in, (uint32_t)keep);
    }
    in->size = size;
    ext2_touch(fs, in, true, true);
    int err2 = ext2_iwrite(fs, ino, in);
    return err ? err : err2;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    return err ? err : trunc_inode(fs, ino, &in, size);
}

int ext2_setattr(struct ext2_fs *fs, uint32_t ino, const struct ext2_stat *st,
                 unsigned mask)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    if (fs->rdonly)
        return -EROFS;
    if (mask & EXT2_SET_SIZE) {
        err = trunc_inode(fs, ino, &in, st->size);
        if (err)
            return err;
    }
    if (mask & EXT2_SET_MODE)
        in.mode = (uint16_t)((in.mode & S_IFMT_) | (st->mode & 07777));
    if (mask & EXT2_SET_UID)
        in.uid = st->uid;
    if (mask & EXT2_SET_GID)
        in.gid = st->gid;
    if (mask & EXT2_SET_ATIME)
        in.atime = (uint32_t)st->atime;
    if (mask & EXT2_SET_MTIME)
        in.mtime = (uint32_t)st->mtime;
    ext2_touch(fs, &in, false, true);
    if (mask & EXT2_SET_CTIME)
        in.ctime = (uint32_t)st->ctime;
    return ext2_iwrite(fs, ino, &in);
}
