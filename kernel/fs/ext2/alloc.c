/*
 * fs/ext2/alloc.c — block and inode allocation in the groups' bitmaps,
 * with the free counts of the group descriptors and the superblock kept
 * in step.  A block is looked for from a goal on (the block after the
 * file's previous one, or its inode's group), an inode in its parent's
 * group (files) or in the groups in turn (directories, so that trees
 * spread over the disk).  The bitmap is marked dirty before a bit
 * changes, so a write-back the change forces (cache.c) writes the bitmap
 * as it was.  A bitmap that says free where it may not (the group's own
 * metadata, the primary superblock) is not believed.
 */
#include "fs/ext2/ext2_int.h"

static uint32_t group_blocks(struct ext2_fs *fs, uint32_t g)
{
    uint32_t start = fs->first_data + g * fs->bpg;
    return MIN(fs->bpg, fs->blocks - start);
}

static int count_add(struct ext2_fs *fs, struct ext2_buf *gb, uint32_t at,
                     int field, int delta)
{
    int err = ext2_bdirty(fs, gb, CLS_GDT);
    if (err)
        return err;
    uint8_t *p = gb->data + at + field;
    put16(p, (uint32_t)(get16(p) + delta));
    int sbf = field == GD_FREE_BLOCKS ? SB_FREE_BLOCKS : SB_FREE_INODES;
    if (field != GD_USED_DIRS) {
        put32(fs->sb + sbf, get32(fs->sb + sbf) + (uint32_t)delta);
        fs->sb_dirty = true;
    }
    return 0;
}

/* The first clear bit of the n in map from bit from on, or n. */
static uint32_t bit_find(const uint8_t *map, uint32_t from, uint32_t n)
{
    for (uint32_t i = from; i < n; i++) {
        if (map[i / 8] == 0xff) {
            i |= 7;
            continue;
        }
        if (!(map[i / 8] & (1u << (i % 8))))
            return i;
    }
    return n;
}

static bool blk_is_meta(struct ext2_fs *fs, const uint8_t *gd, uint32_t blk)
{
    uint32_t itb = (uint32_t)(((uint64_t)fs->ipg * fs->isize + fs->bsize - 1) >>
                              fs->bshift);
    uint32_t it = get32(gd + GD_INODE_TABLE);
    return !ext2_data_blk_ok(fs, blk) || blk == get32(gd + GD_BLOCK_BITMAP) ||
           blk == get32(gd + GD_INODE_BITMAP) || (blk >= it && blk - it < itb);
}

/* Group g's descriptor and one of its bitmaps (map: GD_BLOCK_BITMAP or
 * GD_INODE_BITMAP), both pinned, if its count says something is free;
 * -ENOSPC or an error with nothing pinned. */
static int group_map(struct ext2_fs *fs, uint32_t g, int map,
                     struct ext2_buf **gb, uint32_t *at, struct ext2_buf **bm)
{
    int err, count = map == GD_BLOCK_BITMAP ? GD_FREE_BLOCKS : GD_FREE_INODES;
    *gb = ext2_group(fs, g, at, &err);
    if (!*gb)
        return err;
    *bm = NULL;
    err = -ENOSPC;
    if (get16((*gb)->data + *at + count)) {
        *bm = ext2_bread(fs, get32((*gb)->data + *at + map), CLS_ALLOC, &err);
        if (*bm)
            return 0;
    }
    ext2_brelse(fs, *gb);
    return err;
}

/* A free block of group g from bit from on: 0 and *blk, -ENOSPC, or an
 * error. */
static int balloc_group(struct ext2_fs *fs, uint32_t g, uint32_t from,
                        uint32_t *blk)
{
    uint32_t at;
    struct ext2_buf *gb, *bm = NULL;
    int err = group_map(fs, g, GD_BLOCK_BITMAP, &gb, &at, &bm);
    if (err)
        return err;
    uint32_t n = group_blocks(fs, g), base = fs->first_data + g * fs->bpg;
    err = -ENOSPC;
    for (uint32_t i = bit_find(bm->data, from, n); i < n;
         i = bit_find(bm->data, i + 1, n)) {
        if (blk_is_meta(fs, gb->data + at, base + i))
            continue;
        err = ext2_bdirty(fs, bm, CLS_ALLOC);
        if (!err) {
            bm->data[i / 8] |= (uint8_t)(1u << (i % 8));
            *blk = base + i;
            err = count_add(fs, gb, at, GD_FREE_BLOCKS, -1);
        }
        break;
    }
    ext2_brelse(fs, bm);
    ext2_brelse(fs, gb);
    return err;
}

int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
    if (!ext2_data_blk_ok(fs, goal))
        goal = fs->first_data + fs->gdt_blocks + 1;
    uint32_t g0 = (goal - fs->first_data) / fs->bpg;
    uint32_t from = (goal - fs->first_data) % fs->bpg;
    for (uint32_t k = 0; k <= fs->ngroups; k++) {
        uint32_t g = (g0 + k) % fs->ngroups;
        int err = balloc_group(fs, g, k == 0 ? from : 0, blk);
        if (err != -ENOSPC)
            return err;
    }
    return -ENOSPC;
}

/* Bit i of the bitmap at block mapblk set or cleared for a free; -EUCLEAN
 * when it was not set (the image said the object was in use while its
 * bitmap did not). */
static int bit_release(struct ext2_fs *fs, uint32_t mapblk, uint32_t i)
{
    int err;
    struct ext2_buf *bm = ext2_bread(fs, mapblk, CLS_FREE, &err);
    if (!bm)
        return err;
    if (!(bm->data[i / 8] & (1u << (i % 8)))) {
        err = -EUCLEAN;
    } else if (!(err = ext2_bdirty(fs, bm, CLS_FREE))) {
        bm->data[i / 8] &= (uint8_t) ~(1u << (i % 8));
    }
    ext2_brelse(fs, bm);
    return err;
}

int ext2_bfree(struct ext2_fs *fs, uint32_t blk)
{
    if (!ext2_data_blk_ok(fs, blk))
        return -EUCLEAN;
    uint32_t g = (blk - fs->first_data) / fs->bpg, at;
    int err;
    ext2_bforget(fs, blk);
    struct ext2_buf *gb = ext2_group(fs, g, &at, &err);
    if (!gb)
        return err;
    err = bit_release(fs, get32(gb->data + at + GD_BLOCK_BITMAP),
                      (blk - fs->first_data) % fs->bpg);
    if (!err)
        err = count_add(fs, gb, at, GD_FREE_BLOCKS, 1);
    ext2_brelse(fs, gb);
    return err;
}

static int ialloc_group(struct ext2_fs *fs, uint32_t g, bool dir, uint32_t *ino)
{
    uint32_t at;
    struct ext2_buf *gb, *bm = NULL;
    int err = group_map(fs, g, GD_INODE_BITMAP, &gb, &at, &bm);
    if (err)
        return err;
    /* Inodes below first_ino are reserved (root, resize, journal...). */
    uint32_t from = g == 0 ? fs->first_ino - 1 : 0;
    uint32_t i = bit_find(bm->data, from, fs->ipg);
    err = -ENOSPC;
    if (i < fs->ipg && !(err = ext2_bdirty(fs, bm, CLS_ALLOC))) {
        bm->data[i / 8] |= (uint8_t)(1u << (i % 8));
        *ino = g * fs->ipg + i + 1;
        err = count_add(fs, gb, at, GD_FREE_INODES, -1);
        if (!err && dir)
            err = count_add(fs, gb, at, GD_USED_DIRS, 1);
    }
    ext2_brelse(fs, bm);
    ext2_brelse(fs, gb);
    return err;
}

int ext2_ialloc(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino)
{
    uint32_t g0 = (parent - 1) / fs->ipg;
    if (dir)
        g0 = fs->next_dir_group++ % fs->ngroups;
    for (uint32_t k = 0; k < fs->ngroups; k++) {
        int err = ialloc_group(fs, (g0 + k) % fs->ngroups, dir, ino);
        if (err != -ENOSPC)
            return err;
    }
    return -ENOSPC;
}

int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir)
{
    if (ino < 1 || ino > fs->inodes)
        return -EUCLEAN;
    uint32_t g = (ino - 1) / fs->ipg, at;
    int err;
    struct ext2_buf *gb = ext2_group(fs, g, &at, &err);
    if (!gb)
        return err;
    err = bit_release(fs, get32(gb->data + at + GD_INODE_BITMAP),
                      (ino - 1) % fs->ipg);
    if (!err)
        err = count_add(fs, gb, at, GD_FREE_INODES, 1);
    if (!err && dir)
        err = count_add(fs, gb, at, GD_USED_DIRS, -1);
    ext2_brelse(fs, gb);
    return err;
}
