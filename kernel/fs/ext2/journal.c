/*
 * fs/ext2/journal.c — the internal journal of an ext3-style volume
 * (COMPAT has_journal, inode 8), written in the jbd2 format e2fsprogs
 * replays (lib/ext2fs/kernel-jbd.h; the kernel's
 * Documentation/filesystems/ext4/journal.rst): big-endian headers, a
 * descriptor block whose 8-byte tags name the home of each block copy
 * after it, then a commit block.  Only what this library needs is
 * written: no revoke records, no checksums, 32-bit block numbers; a
 * journal asking for more (64bit, csum v2/v3, checksum, async_commit,
 * fast_commit) is refused for writing at mount.  Replay is e2fsck's:
 * `gorump run -v` runs `e2fsck -p` first, and a volume whose journal
 * holds data is not mounted read-write here.
 *
 * A transaction is every dirty block of the cache at a commit.  The
 * journal is used in two halves, transaction by transaction in turn, so a
 * commit never writes over the one before it (which the journal
 * superblock may still name):
 *
 *   1. the pending data run (ordered mode: data before the metadata
 *      naming it), the descriptor and block copies in this transaction's
 *      half, the superblock's counts;
 *   2. flush: the copies, and the previous transaction's writes in place,
 *      are durable;
 *   3. the journal superblock names this transaction (s_start, s_sequence),
 *      then the commit block;
 *   4. flush: committed (replay would now write it all);
 *   5. every block written in place, left to the next commit's step 2
 *      (or the unmount) to flush.
 *
 * docs/STORAGE.md, "The journal", says what this closes and what not.
 */
#include "fs/ext2/ext2_int.h"

#define JBD2_MAGIC 0xc03b3998u
#define JBD2_DESCRIPTOR 1
#define JBD2_COMMIT 2
#define JBD2_SB_V1 3
#define JBD2_SB_V2 4
/* The journal superblock's fields (big-endian). */
#define JSB_BLOCKSIZE 12
#define JSB_MAXLEN 16
#define JSB_FIRST 20
#define JSB_SEQUENCE 24
#define JSB_START 28
#define JSB_ERRNO 32
#define JSB_COMPAT 36
#define JSB_INCOMPAT 40
#define JSB_RO_COMPAT 44
#define JSB_UUID 48
#define JSB_NR_USERS 64
#define JBD2_INCOMPAT_REVOKE 0x1 /* revoke records may be present: fine */
/* Tags without 64bit or csum v2/v3: block number, checksum, flags. */
#define TAG_BYTES 8
#define TAG_ESCAPE 0x1
#define TAG_SAME_UUID 0x2
#define TAG_LAST 0x8
#define HDR_BYTES 12
#define COMMIT_SEC 48 /* commit_header's h_commit_sec */
#define SB_JOURNAL_INUM 224
#define SB_JOURNAL_DEV 228

static void put_header(uint8_t *p, uint32_t type, uint32_t seq)
{
    put_be32(p, JBD2_MAGIC);
    put_be32(p + 4, type);
    put_be32(p + 8, seq);
}

/* The device offset of journal block lblk (0: the journal superblock). */
static uint64_t jnl_off(struct ext2_fs *fs, uint32_t lblk)
{
    for (uint32_t i = 0; i < fs->jnl.nruns; i++) {
        const struct ext2_jrun *e = &fs->jnl.run[i];
        if (lblk - e->lblk < e->n)
            return (uint64_t)(e->pblk + (lblk - e->lblk)) << fs->bshift;
    }
    return 0; /* never: lblk < maxlen, all of which is mapped */
}

static int jnl_write(struct ext2_fs *fs, uint32_t lblk, const void *buf,
                     size_t len)
{
    return fs->dev.write(fs->dev.ctx, jnl_off(fs, lblk), buf, len);
}

/* The journal inode's blocks as runs: a hole, or more runs than
 * EXT2_JNL_RUNS, refuses it. */
static int jnl_map(struct ext2_fs *fs, struct ext2_inode *in, uint32_t n)
{
    fs->jnl.nruns = 0;
    for (uint32_t l = 0; l < n; l++) {
        uint32_t blk;
        bool fresh;
        int err = ext2_bmap(fs, fs->jnl.ino, in, l, false, &blk, &fresh);
        if (err || !blk)
            return err ? err : -EUCLEAN;
        struct ext2_jrun *e =
            &fs->jnl.run[fs->jnl.nruns ? fs->jnl.nruns - 1 : 0];
        if (fs->jnl.nruns && e->pblk + e->n == blk) {
            e->n++;
            continue;
        }
        if (fs->jnl.nruns == EXT2_JNL_RUNS)
            return -EUCLEAN;
        e = &fs->jnl.run[fs->jnl.nruns++];
        e->lblk = l;
        e->pblk = blk;
        e->n = 1;
    }
    return 0;
}

static int jnl_refuse(struct ext2_fs *fs, int err, const char *why)
{
    fs->msg = why;
    return err;
}

/* The journal superblock's format and state: what this file writes. */
static int jsb_check(struct ext2_fs *fs, uint32_t mapped)
{
    const uint8_t *j = fs->jnl.sb;
    uint32_t type = get_be32(j + 4);
    if (get_be32(j) != JBD2_MAGIC || (type != JBD2_SB_V1 && type != JBD2_SB_V2))
        return jnl_refuse(fs, -EUCLEAN, "no journal superblock (run e2fsck)");
    bool v2 = type == JBD2_SB_V2;
    if (v2 && (get_be32(j + JSB_COMPAT) ||
               (get_be32(j + JSB_INCOMPAT) & ~(uint32_t)JBD2_INCOMPAT_REVOKE) ||
               get_be32(j + JSB_RO_COMPAT) || get_be32(j + JSB_NR_USERS) > 1))
        return jnl_refuse(
            fs, -EROFS,
            "journal features the kernel cannot write (checksums, "
            "64bit, async_commit, fast_commit): mount read-only");
    fs->jnl.first = get_be32(j + JSB_FIRST);
    fs->jnl.maxlen = get_be32(j + JSB_MAXLEN);
    fs->jnl.seq = get_be32(j + JSB_SEQUENCE);
    if (get_be32(j + JSB_BLOCKSIZE) != fs->bsize || fs->jnl.maxlen > mapped ||
        fs->jnl.first < 1 || fs->jnl.first >= fs->jnl.maxlen)
        return jnl_refuse(fs, -EUCLEAN, "the journal superblock (run e2fsck)");
    if ((fs->jnl.maxlen - fs->jnl.first) / 2 < EXT2_CACHE_BLOCKS + 2)
        return jnl_refuse(fs, -EROFS, "a journal too small: mount read-only");
    if (get_be32(j + JSB_START) || get_be32(j + JSB_ERRNO))
        return jnl_refuse(
            fs, -EROFS,
            "the journal needs recovery: run e2fsck -p (gorump run "
            "-v does), or mount read-only");
    return 0;
}

int ext2_jnl_load(struct ext2_fs *fs)
{
    struct ext2_inode in;
    fs->jnl.ino = get32(fs->sb + SB_JOURNAL_INUM);
    if (!fs->jnl.ino || fs->jnl.ino >= fs->first_ino ||
        get32(fs->sb + SB_JOURNAL_DEV))
        return jnl_refuse(fs, -EROFS,
                          "an external journal, or none: mount read-only");
    int err = ext2_iread(fs, fs->jnl.ino, &in);
    if (err)
        return jnl_refuse(fs, err, "the journal inode cannot be read");
    uint64_t n = in.size >> fs->bshift;
    if (!IS_REG(in.mode) || n < 1024 || n > fs->blocks)
        return jnl_refuse(fs, -EUCLEAN, "the journal inode (run e2fsck)");
    if ((err = jnl_map(fs, &in, (uint32_t)n)))
        return jnl_refuse(fs, err, "the journal's blocks (run e2fsck)");
    err = fs->dev.read(fs->dev.ctx, jnl_off(fs, 0), fs->jnl.sb,
                       sizeof(fs->jnl.sb));
    if (err)
        return jnl_refuse(fs, err, "the journal superblock cannot be read");
    if ((err = jsb_check(fs, (uint32_t)n)))
        return err;
    fs->jnl.on = true;
    return 0;
}

/* The journal superblock names start (0: the journal is empty) and the
 * sequence number replay expects there. */
static int jsb_write(struct ext2_fs *fs, uint32_t start, uint32_t seq)
{
    put_be32(fs->jnl.sb + JSB_START, start);
    put_be32(fs->jnl.sb + JSB_SEQUENCE, seq);
    return jnl_write(fs, 0, fs->jnl.sb, sizeof(fs->jnl.sb));
}

/* The descriptor for the n blocks of list, in fs->jnl.buf; a copy that
 * starts with the magic number is escaped (its first word zeroed on the
 * journal, restored by replay). */
static void jnl_descriptor(struct ext2_fs *fs, struct ext2_buf **list, int n,
                           uint32_t seq)
{
    uint8_t *d = fs->jnl.buf, *t = d + HDR_BYTES;
    memset(d, 0, fs->bsize);
    put_header(d, JBD2_DESCRIPTOR, seq);
    for (int i = 0; i < n; i++) {
        uint32_t flags = i ? TAG_SAME_UUID : 0;
        if (get_be32(list[i]->data) == JBD2_MAGIC)
            flags |= TAG_ESCAPE;
        if (i == n - 1)
            flags |= TAG_LAST;
        put_be32(t, (uint32_t)list[i]->blk);
        put_be16(t + 6, flags);
        t += TAG_BYTES;
        if (!i) { /* the first tag is followed by the journal's UUID */
            memcpy(t, fs->jnl.sb + JSB_UUID, 16);
            t += 16;
        }
    }
}

/* Steps 1 and 2 of the file's comment: the descriptor at start, the
 * copies after it, flushed. */
static int jnl_log(struct ext2_fs *fs, struct ext2_buf **list, int n,
                   uint32_t start, uint32_t seq)
{
    jnl_descriptor(fs, list, n, seq);
    int err = jnl_write(fs, start, fs->jnl.buf, fs->bsize);
    for (int i = 0; i < n && !err; i++) {
        const uint8_t *src = list[i]->data;
        if (get_be32(src) == JBD2_MAGIC) {
            memcpy(fs->jnl.buf, src, fs->bsize);
            memset(fs->jnl.buf, 0, 4);
            src = fs->jnl.buf;
        }
        err = jnl_write(fs, start + 1 + (uint32_t)i, src, fs->bsize);
    }
    if (!err && fs->sb_dirty)
        err = ext2_sb_write(fs);
    return err ? err : fs->dev.flush(fs->dev.ctx);
}

/* Steps 3 and 4: the transaction is committed when this returns 0. */
static int jnl_seal(struct ext2_fs *fs, uint32_t start, uint32_t end,
                    uint32_t seq)
{
    int err = jsb_write(fs, start, seq);
    if (err)
        return err;
    memset(fs->jnl.buf, 0, fs->bsize);
    put_header(fs->jnl.buf, JBD2_COMMIT, seq);
    uint64_t now = (uint64_t)ext2_now(fs);
    put_be32(fs->jnl.buf + COMMIT_SEC, (uint32_t)(now >> 32));
    put_be32(fs->jnl.buf + COMMIT_SEC + 4, (uint32_t)now);
    err = jnl_write(fs, end, fs->jnl.buf, fs->bsize);
    return err ? err : fs->dev.flush(fs->dev.ctx);
}

int ext2_jnl_commit(struct ext2_fs *fs, bool *committed)
{
    struct ext2_buf *list[EXT2_CACHE_BLOCKS];
    int n = 0;
    *committed = false;
    if (fs->rdonly)
        return -EROFS;
    int err = ext2_run_flush(fs);
    for (int i = 0; i < EXT2_CACHE_BLOCKS; i++)
        if (fs->buf[i].valid && fs->buf[i].dirty)
            list[n++] = &fs->buf[i];
    if (err || !n)
        return err;
    uint32_t seq = fs->jnl.seq;
    uint32_t start =
        fs->jnl.first + (seq & 1) * ((fs->jnl.maxlen - fs->jnl.first) / 2);
    if ((err = jnl_log(fs, list, n, start, seq)) ||
        (err = jnl_seal(fs, start, start + 1 + (uint32_t)n, seq)))
        return err; /* not committed: the blocks stay dirty */
    fs->jnl.seq = seq + 1;
    fs->jnl.used = true;
    *committed = true;
    for (int i = 0; i < n; i++) {
        int e = fs->dev.write(fs->dev.ctx, list[i]->blk << fs->bshift,
                              list[i]->data, fs->bsize);
        if (!e)
            list[i]->dirty = false;
        else if (!err)
            err = e; /* still dirty: the next commit logs it again */
    }
    return err;
}

int ext2_jnl_close(struct ext2_fs *fs)
{
    /* The last transaction's writes in place durable before the journal
     * stops naming it. */
    int err = fs->dev.flush(fs->dev.ctx);
    if (!err && fs->jnl.used)
        err = jsb_write(fs, 0, fs->jnl.seq);
    if (!err)
        err = fs->dev.flush(fs->dev.ctx);
    if (!err)
        fs->jnl.used = false;
    return err;
}

int ext2_jnl_room(struct ext2_fs *fs)
{
    bool committed;
    int dirty = 0;
    if (!fs->jnl.on)
        return 0;
    for (int i = 0; i < EXT2_CACHE_BLOCKS; i++)
        dirty += fs->buf[i].valid && fs->buf[i].dirty;
    return dirty > EXT2_CACHE_BLOCKS / 2 ? ext2_jnl_commit(fs, &committed) : 0;
}
