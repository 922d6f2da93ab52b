/*
 * fs/ext2/data.c — file contents: reads (holes as zeros), writes that
 * fill holes and extend the file, and symbolic links' targets.  Data goes
 * straight between the caller's buffer and the device, whole blocks that
 * are contiguous on the disk in one device call (a request costs the
 * same whatever its size under emulation), a partial block through
 * fs->scratch.  A newly allocated block is written whole before the
 * inode or indirect block that points to it is (a write's run of blocks
 * goes before any metadata block: fs->run, ext2_bwrite), so a crash
 * never shows a file old blocks of another.  Access times are not kept
 * (as a noatime mount).
 */
#include "fs/ext2/ext2_int.h"

static uint64_t blk_off(struct ext2_fs *fs, uint32_t blk)
{
    return (uint64_t)blk << fs->bshift;
}

static int file_kind(const struct ext2_inode *in)
{
    if (IS_DIR(in->mode))
        return -EISDIR;
    return IS_REG(in->mode) ? 0 : -EINVAL;
}

/* The part of a block the transfer at pos with left bytes to go covers:
 * its logical block, the offset in it (*at) and the length (*n). */
static uint32_t chunk(struct ext2_fs *fs, uint64_t pos, size_t left,
                      uint32_t *at, uint32_t *n)
{
    *at = (uint32_t)(pos & (fs->bsize - 1));
    *n = (uint32_t)MIN((size_t)(fs->bsize - *at), left);
    return (uint32_t)(pos >> fs->bshift);
}

/* One block's part [at, at + n) read into dst. */
static int read_part(struct ext2_fs *fs, uint32_t blk, uint32_t at,
                     uint8_t *dst, uint32_t n)
{
    if (!blk) {
        memset(dst, 0, n);
        return 0;
    }
    if (n == fs->bsize)
        return fs->dev.read(fs->dev.ctx, blk_off(fs, blk), dst, n);
    int err =
        fs->dev.read(fs->dev.ctx, blk_off(fs, blk), fs->scratch, fs->bsize);
    if (!err)
        memcpy(dst, fs->scratch + at, n);
    return err;
}

/* How many blocks from logical block lblk (at blk on the disk) on, at
 * most max, lie one after the other on the disk: 1 at least. */
static uint32_t run_len(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                        uint32_t lblk, uint32_t blk, uint32_t max)
{
    uint32_t k = 1, next;
    bool fresh;
    while (k < max && !ext2_bmap(fs, ino, in, lblk + k, false, &next, &fresh) &&
           next == blk + k)
        k++;
    return k;
}

long ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf,
               size_t len)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (!err)
        err = file_kind(&in);
    if (err)
        return err;
    if (off >= in.size)
        return 0;
    len = (size_t)MIN((uint64_t)len, in.size - off);
    len = MIN(len, (size_t)0x7ffff000); /* as read(2) */
    size_t done = 0;
    while (done < len) {
        uint32_t at, n, blk;
        uint32_t lblk = chunk(fs, off + done, len - done, &at, &n);
        bool fresh;
        err = ext2_bmap(fs, ino, &in, lblk, false, &blk, &fresh);
        if (!err && blk && n == fs->bsize) {
            n = run_len(fs, ino, &in, lblk, blk,
                        (uint32_t)MIN((len - done) >> fs->bshift,
                                      (size_t)UINT32_MAX >> fs->bshift))
                << fs->bshift;
            err = fs->dev.read(fs->dev.ctx, blk_off(fs, blk),
                               (uint8_t *)buf + done, n);
        } else if (!err) {
            err = read_part(fs, blk, at, (uint8_t *)buf + done, n);
        }
        if (err)
            return done ? (long)done : err;
        done += n;
    }
    return (long)done;
}

int ext2_run_flush(struct ext2_fs *fs)
{
    int err = fs->run.err;
    fs->run.err = 0;
    if (fs->run.n) {
        int e = fs->dev.write(fs->dev.ctx, blk_off(fs, fs->run.blk),
                              fs->run.src, (size_t)fs->run.n << fs->bshift);
        fs->run.n = 0;
        if (!err)
            err = e;
    }
    return err;
}

/* Whether whole block blk from src extends the pending run: next to it
 * on the disk and in memory. */
static bool run_joins(struct ext2_fs *fs, uint32_t blk, const uint8_t *src)
{
    uint32_t n = fs->run.n;
    return n && blk == fs->run.blk + n &&
           src == fs->run.src + ((size_t)n << fs->bshift) &&
           n < UINT32_MAX >> fs->bshift;
}

/* One block's part [at, at + n) written from src, less than a block: a
 * fresh block written whole (zeros around the part), an old one read
 * first. */
static int write_part(struct ext2_fs *fs, uint32_t blk, bool fresh, uint32_t at,
                      const uint8_t *src, uint32_t n)
{
    int err = 0;
    if (fresh)
        memset(fs->scratch, 0, fs->bsize);
    else
        err =
            fs->dev.read(fs->dev.ctx, blk_off(fs, blk), fs->scratch, fs->bsize);
    if (err)
        return err;
    memcpy(fs->scratch + at, src, n);
    return fs->dev.write(fs->dev.ctx, blk_off(fs, blk), fs->scratch, fs->bsize);
}

/* Writes len bytes of buf at off, block by block, whole blocks next to
 * each other on the disk in runs: *sent, the bytes from off on that are
 * on the disk, and 0 or the error that stopped it. */
static int write_blocks(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *in,
                        uint64_t off, const uint8_t *buf, size_t len,
                        size_t *sent)
{
    size_t done = 0; /* placed: on the disk, or in the pending run */
    int err = 0;
    while (done < len) {
        uint32_t at, n, blk;
        uint32_t lblk = chunk(fs, off + done, len - done, &at, &n);
        bool fresh;
        if ((err = ext2_bmap(fs, ino, in, lblk, true, &blk, &fresh)))
            break;
        if (n == fs->bsize && run_joins(fs, blk, buf + done)) {
            fs->run.n++;
            done += n;
            continue;
        }
        if ((err = ext2_run_flush(fs))) {
            done = *sent; /* the failed run's start */
            break;
        }
        *sent = done;
        if (n == fs->bsize) {
            fs->run.src = buf + done;
            fs->run.blk = blk;
            fs->run.n = 1;
        } else if ((err = write_part(fs, blk, fresh, at, buf + done, n))) {
            break;
        }
        done += n;
        if (n != fs->bsize)
            *sent = done;
    }
    int e = ext2_run_flush(fs);
    if (!e)
        *sent = done;
    return err ? err : e;
}

long ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf,
                size_t len)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (!err)
        err = file_kind(&in);
    if (!err && fs->rdonly)
        err = -EROFS;
    uint64_t max = ext2_max_blocks(fs) << fs->bshift;
    if (!err && len && off >= max)
        err = -EFBIG;
    if (err)
        return err;
    len = (size_t)MIN((uint64_t)len, max - off);
    len = MIN(len, (size_t)0x7ffff000); /* as write(2) */
    size_t sent = 0;
    err = write_blocks(fs, ino, &in, off, buf, len, &sent);
    if (sent && off + sent > in.size)
        in.size = off + sent;
    if (sent || err != 0)
        ext2_touch(fs, &in, true, true);
    int err2 = ext2_iwrite(fs, ino, &in);
    if (sent)
        return err2 ? err2 : (long)sent;
    return err ? err : err2;
}

long ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t len)
{
    struct ext2_inode in;
    int err = ext2_iget(fs, ino, &in);
    if (err)
        return err;
    if (!IS_LNK(in.mode))
        return -EINVAL;
    if (ext2_fast_symlink(fs, &in)) {
        uint8_t text[4 * N_BLOCKS];
        for (int i = 0; i < N_BLOCKS; i++)
            put32(text + 4 * i, in.block[i]);
        size_t n = (size_t)MIN(MIN(in.size, sizeof(text)), (uint64_t)len);
        memcpy(buf, text, n);
        return (long)n;
    }
    if (in.size > fs->bsize)
        return -EUCLEAN;
    uint32_t blk;
    bool fresh;
    err = ext2_bmap(fs, ino, &in, 0, false, &blk, &fresh);
    if (!err && !blk)
        err = -EUCLEAN;
    if (!err)
        err =
            fs->dev.read(fs->dev.ctx, blk_off(fs, blk), fs->scratch, fs->bsize);
    if (err)
        return err;
    size_t n = (size_t)MIN(in.size, (uint64_t)len);
    memcpy(buf, fs->scratch, n);
    return (long)n;
}
