/*
 * fs/ext2/super.c — mounting an ext2 file system: the superblock and
 * every group descriptor are checked against each other and the device
 * before anything else is read, so that the rest of the library may rely
 * on the geometry (block size, groups, inode table places) and check only
 * what it reads later (block numbers, inode numbers, directory entries).
 * Also statfs, sync and unmount, which marks the file system clean.
 */
#include "fs/ext2/ext2_int.h"

int64_t ext2_now(struct ext2_fs *fs)
{
    return fs->dev.now ? fs->dev.now(fs->dev.ctx) : 0;
}

static int refuse(struct ext2_fs *fs, int err, const char *why)
{
    fs->msg = why;
    return err;
}

/* The features: anything INCOMPAT this code does not know changes the
 * format it reads (extents, 64bit, meta_bg, flex_bg, inline_data, a
 * journal to replay, ...), so the mount is refused; a RO_COMPAT one
 * (huge_file, dir_nlink, metadata_csum, ...) can be read but would be
 * broken by writing. */
static int sb_features(struct ext2_fs *fs, unsigned flags)
{
    if (get32(fs->sb + SB_REV) == 0) {
        fs->feat_compat = fs->feat_incompat = fs->feat_ro_compat = 0;
        return 0;
    }
    fs->feat_compat = get32(fs->sb + SB_COMPAT);
    fs->feat_incompat = get32(fs->sb + SB_INCOMPAT);
    fs->feat_ro_compat = get32(fs->sb + SB_RO_COMPAT);
    if (fs->feat_incompat & ~(uint32_t)(INCOMPAT_OK | INCOMPAT_RECOVER))
        return refuse(fs, -EINVAL,
                      "an incompatible feature (only filetype is known)");
    /* Replay is e2fsck's (docs/STORAGE.md, "The journal"): what the
     * journal holds would be lost, or undo later changes, if this code
     * wrote the volume first. */
    if ((fs->feat_incompat & INCOMPAT_RECOVER) && !(flags & EXT2_MOUNT_RDONLY))
        return refuse(fs, -EROFS,
                      "the journal needs recovery: run e2fsck -p (gorump "
                      "run -v does), or mount read-only");
    if ((fs->feat_ro_compat & ~(uint32_t)RO_COMPAT_OK) &&
        !(flags & EXT2_MOUNT_RDONLY))
        return refuse(fs, -EROFS, "a read-only feature: mount read-only");
    return 0;
}

static int sb_geometry(struct ext2_fs *fs)
{
    const uint8_t *sb = fs->sb;
    uint32_t log = get32(sb + SB_LOG_BSIZE);
    if (log > 2)
        return refuse(fs, -EINVAL, "a block size over 4096");
    fs->bshift = 10 + log;
    fs->bsize = 1u << fs->bshift;
    fs->ptrs = fs->bsize / 4;
    fs->blocks = get32(sb + SB_BLOCKS);
    fs->first_data = get32(sb + SB_FIRST_DATA);
    fs->bpg = get32(sb + SB_BPG);
    fs->ipg = get32(sb + SB_IPG);
    fs->inodes = get32(sb + SB_INODES);
    bool rev0 = get32(sb + SB_REV) == 0;
    fs->isize = rev0 ? EXT2_GOOD_OLD_ISIZE : get16(sb + SB_INODE_SIZE);
    fs->first_ino = rev0 ? 11 : get32(sb + SB_FIRST_INO);
    if (get32(sb + SB_REV) > 1)
        return refuse(fs, -EINVAL, "an unknown revision");
    if (fs->first_data != (fs->bsize == 1024 ? 1u : 0u) ||
        (uint64_t)fs->blocks << fs->bshift > fs->dev.size ||
        fs->blocks <= fs->first_data + 1)
        return refuse(fs, -EUCLEAN, "a block count the device cannot hold");
    if (!fs->bpg || fs->bpg > 8 * fs->bsize || fs->bpg % 8 || !fs->ipg ||
        fs->ipg > 8 * fs->bsize || fs->ipg % 8)
        return refuse(fs, -EUCLEAN, "blocks or inodes per group");
    if (fs->isize < EXT2_GOOD_OLD_ISIZE || fs->isize > fs->bsize ||
        (fs->isize & (fs->isize - 1)))
        return refuse(fs, -EUCLEAN, "the inode size");
    fs->ngroups = (fs->blocks - fs->first_data + fs->bpg - 1) / fs->bpg;
    if ((uint64_t)fs->ngroups * fs->ipg != fs->inodes || fs->first_ino < 11 ||
        fs->first_ino >= fs->inodes)
        return refuse(fs, -EUCLEAN, "the inode count");
    fs->gdt_blocks =
        (fs->ngroups + fs->bsize / GD_SIZE - 1) / (fs->bsize / GD_SIZE);
    if ((uint64_t)fs->first_data + 1 + fs->gdt_blocks >= fs->blocks)
        return refuse(fs, -EUCLEAN, "the group descriptors");
    return 0;
}

bool ext2_data_blk_ok(struct ext2_fs *fs, uint32_t blk)
{
    return blk > fs->first_data + fs->gdt_blocks && blk < fs->blocks;
}

struct ext2_buf *ext2_group(struct ext2_fs *fs, uint32_t g, uint32_t *at,
                            int *err)
{
    uint32_t per = fs->bsize / GD_SIZE;
    if (g >= fs->ngroups) {
        *err = -EUCLEAN;
        return NULL;
    }
    *at = g % per * GD_SIZE;
    return ext2_bread(fs, fs->first_data + 1 + g / per, CLS_GDT, err);
}

/* Each group's bitmaps and inode table lie on the device, past the
 * primary superblock and descriptors. */
static int sb_groups(struct ext2_fs *fs)
{
    uint32_t itb = (uint32_t)(((uint64_t)fs->ipg * fs->isize + fs->bsize - 1) >>
                              fs->bshift);
    for (uint32_t g = 0; g < fs->ngroups; g++) {
        uint32_t at;
        int err;
        struct ext2_buf *b = ext2_group(fs, g, &at, &err);
        if (!b)
            return refuse(fs, err, "the group descriptors cannot be read");
        const uint8_t *d = b->data + at;
        uint32_t bb = get32(d + GD_BLOCK_BITMAP);
        uint32_t ib = get32(d + GD_INODE_BITMAP);
        uint32_t it = get32(d + GD_INODE_TABLE);
        ext2_brelse(fs, b);
        if (!ext2_data_blk_ok(fs, bb) || !ext2_data_blk_ok(fs, ib) ||
            !ext2_data_blk_ok(fs, it) || (uint64_t)it + itb > fs->blocks)
            return refuse(fs, -EUCLEAN, "a group's bitmaps or inode table");
    }
    return 0;
}

static int sb_mark(struct ext2_fs *fs, bool clean)
{
    uint16_t state = get16(fs->sb + SB_STATE);
    put16(fs->sb + SB_STATE,
          clean ? state | EXT2_VALID_FS : state & ~EXT2_VALID_FS);
    put32(fs->sb + SB_WTIME, (uint32_t)ext2_now(fs));
    int err = ext2_sb_write(fs);
    if (!err)
        err = fs->dev.flush(fs->dev.ctx);
    return err;
}

static int mount_rw(struct ext2_fs *fs)
{
    uint16_t state = get16(fs->sb + SB_STATE);
    if (!(state & EXT2_VALID_FS) || (state & EXT2_ERROR_FS)) {
        fs->rdonly = true;
        return refuse(fs, -EROFS, "not clean: run e2fsck, or mount read-only");
    }
    int err = (fs->feat_compat & COMPAT_HAS_JOURNAL) ? ext2_jnl_load(fs) : 0;
    if (err) {
        fs->rdonly = true;
        return err;
    }
    /* As Linux's ext3: needs_recovery from the mount to the unmount, so
     * that e2fsck replays whatever a crash leaves in the journal. */
    if (fs->jnl.on)
        put32(fs->sb + SB_INCOMPAT, fs->feat_incompat | INCOMPAT_RECOVER);
    put16(fs->sb + SB_MNT_COUNT, get16(fs->sb + SB_MNT_COUNT) + 1u);
    put32(fs->sb + SB_MTIME, (uint32_t)ext2_now(fs));
    return sb_mark(fs, false);
}

int ext2_mount(struct ext2_fs *fs, const struct ext2_dev *dev, unsigned flags)
{
    memset(fs, 0, sizeof(*fs));
    fs->dev = *dev;
    fs->rdonly = true; /* nothing is written before the checks pass */
    for (int i = 0; i < EXT2_CACHE_BLOCKS; i++)
        fs->buf[i].data = fs->mem[i];
    if (dev->size < SB_OFF + sizeof(fs->sb))
        return refuse(fs, -EINVAL, "a device too small for ext2");
    int err = dev->read(dev->ctx, SB_OFF, fs->sb, sizeof(fs->sb));
    if (err)
        return refuse(fs, err, "the superblock cannot be read");
    if (get16(fs->sb + SB_MAGIC) != EXT2_MAGIC)
        return refuse(fs, -EINVAL, "no ext2 superblock");
    err = sb_geometry(fs);
    if (!err)
        err = sb_features(fs, flags);
    if (!err)
        err = sb_groups(fs);
    struct ext2_inode root;
    if (!err && (err = ext2_iget(fs, EXT2_ROOT_INO, &root)) == 0 &&
        !IS_DIR(root.mode))
        err = -EUCLEAN;
    if (err)
        return fs->msg ? err : refuse(fs, err, "the root directory");
    fs->next_dir_group = 0;
    if (flags & EXT2_MOUNT_RDONLY)
        return 0;
    fs->rdonly = false;
    return mount_rw(fs);
}

void ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *st)
{
    uint32_t free = get32(fs->sb + SB_FREE_BLOCKS);
    uint32_t rsv = get32(fs->sb + SB_R_BLOCKS);
    free = MIN(free, fs->blocks);
    st->bsize = fs->bsize;
    st->blocks = fs->blocks - fs->first_data;
    st->bfree = free;
    st->bavail = free > rsv ? free - rsv : 0;
    st->files = fs->inodes;
    st->ffree = MIN(get32(fs->sb + SB_FREE_INODES), fs->inodes);
    st->namelen = EXT2_NAME_MAX;
}

int ext2_sync(struct ext2_fs *fs)
{
    if (fs->rdonly)
        return 0;
    if (fs->jnl.on) {
        /* A commit's last flush makes the data before it durable too. */
        bool committed;
        int err = ext2_jnl_commit(fs, &committed);
        if (!err && !committed && fs->sb_dirty)
            err = ext2_sb_write(fs);
        return err || committed ? err : fs->dev.flush(fs->dev.ctx);
    }
    int err = ext2_writeback(fs);
    if (!err && fs->sb_dirty)
        err = ext2_sb_write(fs);
    if (!err)
        err = fs->dev.flush(fs->dev.ctx);
    return err;
}

int ext2_fsync(struct ext2_fs *fs, uint32_t ino)
{
    if (ino < 1 || ino > fs->inodes)
        return -EINVAL;
    return ext2_sync(fs);
}

int ext2_unmount(struct ext2_fs *fs)
{
    if (fs->rdonly)
        return 0;
    int err = ext2_sync(fs);
    if (!err && fs->jnl.on)
        err = ext2_jnl_close(fs);
    if (!err && fs->jnl.on)
        put32(fs->sb + SB_INCOMPAT, fs->feat_incompat & ~INCOMPAT_RECOVER);
    if (!err)
        err = sb_mark(fs, true);
    fs->rdonly = true;
    return err;
}
