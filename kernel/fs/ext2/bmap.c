/*
 * fs/ext2/bmap.c — a file's block map: twelve direct blocks, then single,
 * double and triple indirect blocks of bsize/4 pointers each (the ext2
 * layout; 0 is a hole).  Every pointer read is checked before it is used.
 * A new indirect block is zeroed and written at once, before the pointer
 * to it exists anywhere; a new data block is handed to the caller to
 * fill.  Freeing walks the tree down, at most three levels, and stops at
 * the first block freed twice, so a tree whose blocks are shared or
 * cyclic ends in -EUCLEAN after at most as many frees as the volume has
 * blocks.
 */
#include "fs/ext2/ext2_int.h"

uint64_t ext2_max_blocks(struct ext2_fs *fs)
{
    uint64_t p = fs->ptrs;
    return N_DIRECT + p + p * p + p * p * p;
}

/* The path to lblk: the slot in block[] and the index at each level
 * below it; returns the depth (0 for a direct block) or -EFBIG. */
static int bmap_path(struct ext2_fs *fs, uint32_t lblk, uint32_t idx[4])
{
    uint64_t p = fs->ptrs, l = lblk;
    if (l < N_DIRECT) {
        idx[0] = lblk;
        return 0;
    }
    l -= N_DIRECT;
    int depth;
    uint64_t span = p;
    for (depth = 1; depth <= 3 && l >= span; depth++) {
        l -= span;
        span *= p;
    }
    if (depth > 3)
        return -EFBIG;
    idx[0] = (uint32_t)(IND + depth - 1);
    for (int d = depth; d >= 1; d--) {
        idx[d] = (uint32_t)(l % p);
        l /= p;
    }
    return depth;
}

static int bmap_new(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
    int err = ext2_balloc(fs, goal, blk);
    if (err)
        return err;
    ext2_bforget(fs, *blk);
    return 0;
}

/* A new, zeroed indirect block, on disk before anything points to it. */
static int bmap_new_ind(struct ext2_fs *fs, struct ext2_inode *in,
                        uint32_t goal, uint32_t *blk)
{
    int err = ext2_add_blocks(fs, in, 1);
    if (err)
        return err;
    err = bmap_new(fs, goal, blk);
    if (err) {
        ext2_add_blocks(fs, in, -1);
        return err;
    }
    struct ext2_buf *b = ext2_bzero(fs, *blk, CLS_META, &err);
    if (!b)
        return err;
    err = ext2_bwrite(fs, b);
    ext2_brelse(fs, b);
    return err;
}

static uint32_t bmap_goal(struct ext2_fs *fs, uint32_t ino, uint32_t near)
{
    if (near)
        return near + 1;
    return fs->first_data + (ino - 1) / fs->ipg * fs->bpg;
}

/* Fills the hole at *slot (in an inode or an indirect block). */
static int bmap_fill(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                     uint32_t near, bool data, uint32_t *slot)
{
    uint32_t blk;
    int err;
    if (data) {
        err = ext2_add_blocks(fs, in, 1);
        if (!err && (err = bmap_new(fs, bmap_goal(fs, ino, near), &blk)))
            ext2_add_blocks(fs, in, -1);
    } else {
        err = bmap_new_ind(fs, in, bmap_goal(fs, ino, near), &blk);
    }
    if (!err)
        *slot = blk;
    return err;
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
              uint32_t lblk, bool alloc, uint32_t *blk, bool *fresh)
{
    uint32_t idx[4];
    int depth = bmap_path(fs, lblk, idx), err = 0;
    *fresh = false;
    if (depth < 0)
        return depth;
    uint32_t cur = in->block[idx[0]];
    if (!cur && alloc) {
        uint32_t near = idx[0] ? in->block[idx[0] - 1] : 0;
        if ((err = bmap_fill(fs, ino, in, near, depth == 0, &cur)))
            return err;
        in->block[idx[0]] = cur;
        *fresh = depth == 0;
    }
    for (int d = 1; d <= depth && cur; d++) {
        if (!ext2_data_blk_ok(fs, cur))
            return -EUCLEAN;
        struct ext2_buf *b = ext2_bread(fs, cur, CLS_META, &err);
        if (!b)
            return err;
        uint8_t *slot = b->data + 4 * idx[d];
        uint32_t next = get32(slot);
        if (!next && alloc) {
            /* Dirtied after the allocation: a write-back the allocation
             * forces would leave b clean, and the pointer unwritten. */
            uint32_t near = idx[d] ? get32(slot - 4) : cur;
            err = bmap_fill(fs, ino, in, near, d == depth, &next);
            if (!err && !(err = ext2_bdirty(fs, b, CLS_META))) {
                put32(slot, next);
                *fresh = d == depth;
            }
        }
        ext2_brelse(fs, b);
        if (err)
            return err;
        cur = next;
    }
    if (cur && !ext2_data_blk_ok(fs, cur))
        return -EUCLEAN;
    *blk = cur;
    return 0;
}

/* Frees blk and, for level > 0, every block below it. */
static int free_whole(struct ext2_fs *fs, struct ext2_inode *in, uint32_t blk,
                      int level)
{
    int err = 0;
    if (level > 0) {
        if (!ext2_data_blk_ok(fs, blk))
            return -EUCLEAN;
        struct ext2_buf *b = ext2_bread(fs, blk, CLS_META, &err);
        if (!b)
            return err;
        for (uint32_t i = 0; i < fs->ptrs && !err; i++) {
            uint32_t e = get32(b->data + 4 * i);
            if (e)
                err = free_whole(fs, in, e, level - 1);
        }
        ext2_brelse(fs, b);
        if (err)
            return err;
    }
    err = ext2_bfree(fs, blk);
    if (!err)
        ext2_add_blocks(fs, in, -1);
    return err;
}

/* Frees what lies from block rel on below the indirect block blk of the
 * given level (rel > 0: blk itself stays). */
static int free_part(struct ext2_fs *fs, struct ext2_inode *in, uint32_t blk,
                     int level, uint64_t rel)
{
    uint64_t span = 1;
    for (int l = 1; l < level; l++)
        span *= fs->ptrs;
    int err;
    if (!ext2_data_blk_ok(fs, blk))
        return -EUCLEAN;
    struct ext2_buf *b = ext2_bread(fs, blk, CLS_META, &err);
    if (!b)
        return err;
    err = 0;
    for (uint32_t i = (uint32_t)(rel / span); i < fs->ptrs && !err; i++) {
        uint32_t e = get32(b->data + 4 * i);
        if (!e)
            continue;
        if (i == rel / span && rel % span) {
            err = free_part(fs, in, e, level - 1, rel % span);
            continue;
        }
        if (!(err = ext2_bdirty(fs, b, CLS_META))) {
            put32(b->data + 4 * i, 0);
            err = free_whole(fs, in, e, level - 1);
        }
    }
    ext2_brelse(fs, b);
    return err;
}

int ext2_free_from(struct ext2_fs *fs, struct ext2_inode *in, uint32_t from)
{
    int err = 0;
    for (uint32_t i = from; i < N_DIRECT && !err; i++)
        if (in->block[i]) {
            uint32_t blk = in->block[i];
            in->block[i] = 0;
            err = free_whole(fs, in, blk, 0);
        }
    uint64_t base = N_DIRECT, span = fs->ptrs;
    for (int level = 1; level <= 3 && !err; level++) {
        uint32_t *slot = &in->block[IND + level - 1];
        if (*slot && from <= base) {
            uint32_t blk = *slot;
            *slot = 0;
            err = free_whole(fs, in, blk, level);
        } else if (*slot && from < base + span) {
            err = free_part(fs, in, *slot, level, from - base);
        }
        base += span;
        span *= fs->ptrs;
    }
    return err;
}
