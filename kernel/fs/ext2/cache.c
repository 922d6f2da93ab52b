/*
 * fs/ext2/cache.c — the ext2 library's metadata cache: EXT2_CACHE_BLOCKS
 * blocks (bitmaps, group descriptors, inode tables, indirect and
 * directory blocks) held in struct ext2_fs, pinned while a caller uses
 * them and evicted least recently used.  Dirty blocks are written back
 * all together and class by class (enum ext2_cls), so the order the
 * crash-safety rules need holds whenever the disk is written: an
 * eviction that meets a dirty block writes everything back first, but
 * for the bitmaps holding frees, which wait for a sync (ext2_writeback)
 * or for an allocation in them, both after the inode whose blocks they
 * free is back in the cache.  With a journal, a write-back is a commit
 * of every dirty block at once (journal.c), and a dirty block is evicted
 * only when no clean one is left.  File data never passes through here.
 */
#include "fs/ext2/ext2_int.h"

static int dev_read(struct ext2_fs *fs, uint64_t blk, void *buf)
{
    uint64_t off = blk << fs->bshift;
    if (blk >= fs->blocks || off + fs->bsize > fs->dev.size)
        return -EUCLEAN;
    return fs->dev.read(fs->dev.ctx, off, buf, fs->bsize);
}

static int dev_write(struct ext2_fs *fs, uint64_t blk, const void *buf)
{
    uint64_t off = blk << fs->bshift;
    if (fs->rdonly)
        return -EROFS;
    if (blk >= fs->blocks || off + fs->bsize > fs->dev.size)
        return -EUCLEAN;
    return fs->dev.write(fs->dev.ctx, off, buf, fs->bsize);
}

static struct ext2_buf *cache_find(struct ext2_fs *fs, uint64_t blk)
{
    for (int i = 0; i < EXT2_CACHE_BLOCKS; i++)
        if (fs->buf[i].valid && fs->buf[i].blk == blk)
            return &fs->buf[i];
    return NULL;
}

static int writeback(struct ext2_fs *fs, bool frees);

static bool frees_only(const struct ext2_buf *b)
{
    return b->dirty && b->cls == CLS_FREE;
}

/* Which blocks are evicted last: with a journal, dirty ones (each
 * eviction of one is a commit, which may cut a change in two); without,
 * bitmaps holding frees. */
static bool evict_last(struct ext2_fs *fs, const struct ext2_buf *b)
{
    return fs->jnl.on ? b->dirty : frees_only(b);
}

/* The least recently used unpinned slot, clean (after a write-back if
 * need be), or NULL when every slot is pinned.  A bitmap holding frees
 * is evicted last: writing it then could put it on disk before the
 * inode whose pointers it frees, which the caller may still hold. */
static struct ext2_buf *cache_victim(struct ext2_fs *fs, int *err)
{
    struct ext2_buf *v = NULL;
    for (int i = 0; i < EXT2_CACHE_BLOCKS; i++) {
        struct ext2_buf *b = &fs->buf[i];
        if (b->pins)
            continue;
        if (!b->valid)
            return b;
        bool vl = v && evict_last(fs, v), bl = evict_last(fs, b);
        if (!v || (vl && !bl) || (vl == bl && b->used < v->used))
            v = b;
    }
    /* More pins than slots is a bug of this library, not of an image. */
    assert(v);
    if (v->dirty) {
        *err = writeback(fs, frees_only(v));
        if (*err)
            return NULL;
    }
    v->valid = false;
    return v;
}

static struct ext2_buf *cache_get(struct ext2_fs *fs, uint64_t blk, int cls,
                                  bool read, int *err)
{
    if (blk >= fs->blocks) {
        *err = -EUCLEAN;
        return NULL;
    }
    struct ext2_buf *b = cache_find(fs, blk);
    if (!b) {
        b = cache_victim(fs, err);
        if (!b)
            return NULL;
        if (read) {
            *err = dev_read(fs, blk, b->data);
            if (*err)
                return NULL;
        }
        b->blk = blk;
        b->valid = true;
        b->dirty = false;
        b->cls = (uint8_t)cls;
    }
    if (!read) {
        memset(b->data, 0, fs->bsize);
        if (!b->dirty)
            b->cls = (uint8_t)cls;
    }
    b->pins++;
    b->used = ++fs->clock;
    return b;
}

struct ext2_buf *ext2_bread(struct ext2_fs *fs, uint64_t blk, int cls, int *err)
{
    return cache_get(fs, blk, cls, true, err);
}

struct ext2_buf *ext2_bzero(struct ext2_fs *fs, uint64_t blk, int cls, int *err)
{
    return cache_get(fs, blk, cls, false, err);
}

void ext2_brelse(struct ext2_fs *fs, struct ext2_buf *b)
{
    assert(b->pins > 0);
    b->pins--;
}

/* With a journal, the classes' order is the commit's: only a block a
 * free of this transaction left in a bitmap must not be used again
 * before the free is committed (as data, written in place at once, it
 * would show in the file that still has it on the disk). */
static int jnl_dirty(struct ext2_fs *fs, struct ext2_buf *b, int cls)
{
    if (b->dirty && b->cls == CLS_FREE && cls == CLS_ALLOC) {
        int err = ext2_writeback(fs);
        if (err)
            return err;
    }
    if (!b->dirty || cls == CLS_FREE)
        b->cls = (uint8_t)cls;
    b->dirty = true;
    return 0;
}

int ext2_bdirty(struct ext2_fs *fs, struct ext2_buf *b, int cls)
{
    if (fs->rdonly)
        return -EROFS;
    if (fs->jnl.on)
        return jnl_dirty(fs, b, cls);
    /* A bitmap block cannot hold both allocations (written before the
     * pointers to them) and frees (written after the pointers are
     * cleared): write the one kind back before the other starts. */
    if (b->dirty && b->cls != cls && (cls == CLS_ALLOC || cls == CLS_FREE)) {
        int err = writeback(fs, cls == CLS_ALLOC);
        if (err)
            return err;
    }
    if (!b->dirty || cls == CLS_ALLOC)
        b->cls = (uint8_t)cls;
    b->dirty = true;
    return 0;
}

int ext2_bwrite(struct ext2_fs *fs, struct ext2_buf *b)
{
    /* The data a pointer in b may name goes first; its error is the
     * writer's, not this block's. */
    if (fs->run.n)
        fs->run.err = ext2_run_flush(fs);
    int err = dev_write(fs, b->blk, b->data);
    if (!err)
        b->dirty = false;
    return err;
}

/* Every dirty block, class by class; bitmaps holding frees only if
 * frees. */
static int writeback(struct ext2_fs *fs, bool frees)
{
    int first = 0;
    if (fs->jnl.on) {
        bool committed;
        return ext2_jnl_commit(fs, &committed);
    }
    for (int cls = 0; cls < CLS_N; cls++)
        for (int i = 0; i < EXT2_CACHE_BLOCKS && (frees || cls != CLS_FREE);
             i++) {
            struct ext2_buf *b = &fs->buf[i];
            if (!b->valid || !b->dirty || b->cls != cls)
                continue;
            int err = ext2_bwrite(fs, b);
            if (err && !first)
                first = err;
        }
    return first;
}

int ext2_writeback(struct ext2_fs *fs)
{
    return writeback(fs, true);
}

int ext2_order(struct ext2_fs *fs)
{
    return fs->jnl.on ? 0 : writeback(fs, true);
}

void ext2_bforget(struct ext2_fs *fs, uint64_t blk)
{
    struct ext2_buf *b = cache_find(fs, blk);
    if (!b)
        return;
    /* Written back later, a freed block's old content could land on
     * what the block holds by then. */
    b->dirty = false;
    if (!b->pins)
        b->valid = false;
}

int ext2_sb_write(struct ext2_fs *fs)
{
    if (fs->rdonly)
        return -EROFS;
    int err = fs->dev.write(fs->dev.ctx, SB_OFF, fs->sb, sizeof(fs->sb));
    if (!err)
        fs->sb_dirty = false;
    return err;
}
