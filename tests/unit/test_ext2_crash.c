/*
 * tests/unit/test_ext2_crash.c — the ext2 library's write order against a
 * crash at every point: a workload of the changes a program makes
 * between syncs (creates, writes, mkdir, links, unlinks, rmdir, renames
 * to new names, an orphan: a file unlinked while held and released
 * later) runs once to count its device writes, then again for each
 * count N with every write after the N-th lost (the device fails them,
 * as a guest killed then).  Each image left must be one `e2fsck -p`
 * repairs by itself (status 0 or 1) and that `e2fsck -fn` then finds
 * clean, and what was synced before the workload must read back
 * (docs/STORAGE.md, "Crash safety").  Left out are the documented
 * windows e2fsck -p asks about: a rename over an existing name (the old
 * file unattached for a moment) and a directory moved to another
 * directory (two names, or ".." wrong, for a moment).  Then one large
 * write, whose blocks are sent in runs, crashed at every point: no
 * pointer on the disk may name a block before its new data is there.
 *
 * On a journaled image (has_journal, docs/STORAGE.md, "The journal") the
 * same workload with those two windows added (a file renamed over
 * another, directories moved between directories, one over an empty
 * one) and an unmount at the end: at every crash point e2fsck -p,
 * replaying the journal, must leave a clean file system, the name
 * renamed over must hold the old file or the new one whole, and some
 * crash points must have left a transaction for e2fsck to replay.
 */
#include "ext2_host.h"

static uint32_t held_ino;
/* Whether the last crash left the journal a transaction (its
 * superblock's s_start not 0) for e2fsck -p to replay. */
static bool replayed;
static uint8_t keep[5000]; /* "keep": synced before the workload */
static uint8_t target_old[3000], target_new[7000]; /* "target" before, after */

static bool held(void *ctx, uint32_t ino)
{
    return ino == held_ino;
}

/* The changes, errors ignored (a lost write may make later calls
 * fail). */
static void workload(struct ext2_fs *fs)
{
    static uint8_t data[9000];
    uint32_t d, e, f, g, o;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 13);
    ext2_mkdir(fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &d);
    ext2_create(fs, d, "f", 1, 0644, 0, 0, &f);
    ext2_write(fs, f, 0, data, sizeof(data));
    ext2_create(fs, EXT2_ROOT_INO, "g", 1, 0644, 0, 0, &g);
    ext2_write(fs, g, 0, data, 100);
    ext2_link(fs, g, d, "g2", 2);
    ext2_unlink(fs, EXT2_ROOT_INO, "g", 1);
    ext2_rename(fs, d, "f", 1, EXT2_ROOT_INO, "f-moved", 7);
    ext2_mkdir(fs, d, "e", 1, 0755, 0, 0, &e);
    ext2_rmdir(fs, d, "e", 1);
    ext2_unlink(fs, EXT2_ROOT_INO, "old", 3);
    ext2_symlink(fs, EXT2_ROOT_INO, "l", 1, "f-moved", 7, 0, 0, &e);
    ext2_create(fs, EXT2_ROOT_INO, "orphan", 6, 0644, 0, 0, &o);
    ext2_write(fs, o, 0, data, sizeof(data));
    held_ino = o;
    ext2_unlink(fs, EXT2_ROOT_INO, "orphan", 6);
    ext2_write(fs, o, sizeof(data), data, 10);
    held_ino = 0;
    ext2_release(fs, o);
    ext2_sync(fs);
}

/* The two windows an unjournaled volume leaves, then the unmount. */
static void workload_journal(struct ext2_fs *fs)
{
    uint32_t n, a, b, c;
    workload(fs);
    ext2_create(fs, EXT2_ROOT_INO, "new", 3, 0644, 0, 0, &n);
    ext2_write(fs, n, 0, target_new, sizeof(target_new));
    ext2_rename(fs, EXT2_ROOT_INO, "new", 3, EXT2_ROOT_INO, "target", 6);
    ext2_mkdir(fs, EXT2_ROOT_INO, "a", 1, 0755, 0, 0, &a);
    ext2_mkdir(fs, a, "b", 1, 0755, 0, 0, &b);
    ext2_mkdir(fs, EXT2_ROOT_INO, "c", 1, 0755, 0, 0, &c);
    ext2_sync(fs);
    ext2_rename(fs, a, "b", 1, c, "b-moved", 7);
    ext2_mkdir(fs, a, "empty", 5, 0755, 0, 0, &b);
    ext2_rename(fs, EXT2_ROOT_INO, "c", 1, a, "empty", 5);
    ext2_unmount(fs);
}

/* Mounts the image, makes the synced state (a file "old" and "keep"),
 * then runs the workload with writes lost after fail_after (0: none):
 * the number of writes the workload made. */
static long crash_run(const char *img, const char *out, int fail_after,
                      bool journal)
{
    struct memdev m;
    static struct ext2_fs fs;
    uint32_t ino;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    fs.held = held;
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "keep", 4, 0644, 0, 0, &ino), 0);
    CHECK_EQ(ext2_write(&fs, ino, 0, keep, sizeof(keep)), (long)sizeof(keep));
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "old", 3, 0644, 0, 0, &ino), 0);
    CHECK_EQ(fs.jnl.on, journal);
    if (journal) {
        CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "target", 6, 0644, 0, 0, &ino),
                 0);
        CHECK_EQ(ext2_write(&fs, ino, 0, target_old, sizeof(target_old)),
                 (long)sizeof(target_old));
    }
    CHECK_EQ(ext2_sync(&fs), 0);
    long before = m.writes;
    m.fail_after = fail_after ? (int)before + fail_after : 0;
    if (journal)
        workload_journal(&fs);
    else
        workload(&fs);
    long n = m.writes - before;
    /* The journal superblock's s_start (big-endian), in the image. */
    replayed = journal && get_be32(m.mem + jnl_off(&fs, 0) + JSB_START);
    CHECK(memdev_save(&m, out));
    free(m.mem);
    return n;
}

/* Whether the file at path holds exactly len bytes of data. */
static bool file_is(const char *path, const uint8_t *data, size_t len)
{
    static uint8_t got[16384];
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(got, 1, sizeof(got), f);
    fclose(f);
    return n == len && !memcmp(got, data, len);
}

/* The image after a crash: repaired by e2fsck -p alone, then clean, with
 * "keep" as it was synced. */
static void check_repairable(const char *img, int n)
{
    int st = shell("e2fsck -p '%s' >/dev/null 2>&1", img);
    if (st > 1) {
        fprintf(stderr, "crash after %d writes: e2fsck -p status %d:\n", n, st);
        shell("e2fsck -fn '%s' 2>&1 | grep -v '^Pass\\|^e2fsck' | head -8 >&2",
              img);
    }
    CHECK(st <= 1);
    CHECK_EQ(shell("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
    /* One debugfs for both files the checks read. */
    const char *tmp = ext2_tmpdir();
    CHECK_EQ(shell("rm -f '%s/keep.got' '%s/target' && printf 'dump /keep "
                   "%s/keep.got\\ndump /target %s/target\\n' | "
                   "debugfs -f - '%s' >/dev/null 2>&1",
                   tmp, tmp, tmp, tmp, img),
             0);
    char got[300];
    snprintf(got, sizeof(got), "%s/keep.got", tmp);
    CHECK(file_is(got, keep, sizeof(keep)));
}

static void put_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "w");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f)
        fclose(f);
}

/* "target" holds its old file or the new one, whole. */
static void check_target(const char *img, int n)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/target", ext2_tmpdir());
    bool old = file_is(path, target_old, sizeof(target_old));
    bool new = file_is(path, target_new, sizeof(target_new));
    if (!old && !new)
        fprintf(stderr, "crash after %d writes: /target is neither file\n", n);
    CHECK(old || new);
}

static void test_crash_points(unsigned bsize, bool journal)
{
    char img[256], out[256];
    const char *tmp = ext2_tmpdir();
    snprintf(img, sizeof(img), "%s/crash%u.img", tmp, bsize);
    snprintf(out, sizeof(out), "%s/crashed%u.img", tmp, bsize);
    /* A journal of 1024 blocks, jbd2's least, as gorump volume create
     * makes it. */
    if (journal)
        CHECK(mkfs(img, bsize, bsize == 1024 ? "3M" : "16M",
                   bsize == 1024 ? "-O has_journal -J size=1"
                                 : "-O has_journal -J size=4"));
    else
        CHECK(mkfs(img, bsize, "2M", NULL));
    long total = crash_run(img, out, 0, journal);
    CHECK(total > 20);
    CHECK_EQ(shell("e2fsck -fn '%s' >/dev/null 2>&1", out), 0);
    int replays = 0;
    for (int n = 1; n <= total; n++) {
        crash_run(img, out, n, journal);
        check_repairable(out, n);
        replays += replayed;
        if (journal)
            check_target(out, n);
    }
    CHECK(!journal || replays > 0);
    printf("crash: %u-byte blocks%s, %ld crash points, %d replays\n", bsize,
           journal ? ", journaled" : "", total, replays);
}

/* --- data before the pointers to it, with writes sent in runs */

#define STALE 0xee    /* what the freed blocks still hold */
#define BIG (8 << 20) /* one write: more indirect blocks than the cache */

/* The image for data_run: a file "f" with a block at 0 and one at BIG
 * (its double indirect block on the disk), then the blocks after them
 * freed but holding STALE (a file written and unlinked), synced. */
static void data_image(const char *img)
{
    struct memdev m;
    static struct ext2_fs fs;
    static uint8_t stale[BIG], first[1024];
    uint32_t f, junk;
    memset(stale, STALE, sizeof(stale));
    CHECK(mkfs(img, 1024, "24M", NULL));
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "f", 1, 0644, 0, 0, &f), 0);
    CHECK_EQ(ext2_write(&fs, f, 0, first, sizeof(first)), 1024);
    CHECK_EQ(ext2_write(&fs, f, BIG, first, sizeof(first)), 1024);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "junk", 4, 0644, 0, 0, &junk), 0);
    CHECK_EQ(ext2_write(&fs, junk, 0, stale, sizeof(stale)), BIG);
    CHECK_EQ(ext2_sync(&fs), 0);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "junk", 4), 0);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK(memdev_save(&m, img));
    free(m.mem);
}

/* Whether some block the file's pointers on the disk name, past its size
 * too, still holds STALE only. */
static bool points_to_stale(struct ext2_fs *fs, uint32_t ino)
{
    struct ext2_inode in;
    static uint8_t blk[1024];
    CHECK_EQ(ext2_iget(fs, ino, &in), 0);
    for (uint32_t l = 0; l <= BIG / 1024; l++) {
        uint32_t b;
        bool fresh;
        if (ext2_bmap(fs, ino, &in, l, false, &b, &fresh) || !b)
            continue;
        CHECK_EQ(fs->dev.read(fs->dev.ctx, (uint64_t)b << 10, blk, 1024), 0);
        size_t k = 0;
        while (k < sizeof(blk) && blk[k] == STALE)
            k++;
        if (k == sizeof(blk))
            return true;
    }
    return false;
}

/* The hole of "f" filled in one write, with the device's writes lost
 * after fail_after (0: none), then the image as the crash left it
 * checked: the writes the fill made.  The double indirect block on the
 * disk is written back (the cache evicts) while runs of data are being
 * placed under it. */
static long data_run(const char *img, int fail_after)
{
    struct memdev m;
    static struct ext2_fs fs;
    static uint8_t data[BIG - 1024];
    uint32_t f;
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 11 + 1);
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    CHECK_EQ(ext2_lookup(&fs, EXT2_ROOT_INO, "f", 1, &f), 0);
    m.fail_after = fail_after ? (int)m.writes + fail_after : 0;
    long before = m.writes;
    long r = ext2_write(&fs, f, 1024, data, sizeof(data));
    CHECK(fail_after || r == (long)sizeof(data));
    ext2_sync(&fs);
    long n = m.writes - before;
    m.fail_after = 0;
    static struct ext2_fs after; /* what a new boot mounts */
    CHECK_EQ(ext2_mount(&after, &dev, EXT2_MOUNT_RDONLY), 0);
    if (points_to_stale(&after, f))
        fprintf(stderr, "crash after %d writes: a pointer to stale data\n",
                fail_after);
    CHECK(!points_to_stale(&after, f));
    free(m.mem);
    return n;
}

static void test_data_first(void)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/data.img", ext2_tmpdir());
    data_image(img);
    long total = data_run(img, 0);
    CHECK(total > 40);
    for (int n = 1; n <= total; n++)
        data_run(img, n);
    printf("crash: data before pointers, %ld crash points\n", total);
}

/* --- the journal's states and refusals (journal.c) */

static uint32_t sb_get(struct memdev *m, int off)
{
    return get32(m->mem + SB_OFF + off);
}

static void sb_put(struct memdev *m, int off, uint32_t v)
{
    put32(m->mem + SB_OFF + off, v);
}

/* The journal superblock's word at off (big-endian), in the image. */
static uint8_t *jsb_word(struct ext2_fs *fs, struct memdev *m, int off)
{
    return m->mem + jnl_off(fs, 0) + off;
}

static bool has_text(const char *s, const char *t)
{
    size_t n = strlen(t);
    for (; s && *s; s++)
        if (!strncmp(s, t, n))
            return true;
    return false;
}

/* A mount of m refused read-write with a message saying why, and
 * allowed read-only. */
static void check_refused(struct memdev *m, const char *why)
{
    static struct ext2_fs fs;
    struct ext2_dev dev = memdev_dev(m);
    long before = m->writes;
    CHECK_EQ(ext2_mount(&fs, &dev, 0), -EROFS);
    CHECK(has_text(fs.msg, why));
    CHECK_EQ(ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY), 0);
    CHECK_EQ(m->writes, before);
}

/* A metadata block that starts with jbd2's magic number is escaped in
 * the journal (first word zeroed, the tag's ESCAPE flag) and comes back
 * whole from e2fsck's replay when the crash lost its write in place. */
static void test_journal_escape(const char *img)
{
    struct memdev m;
    static struct ext2_fs fs;
    static uint8_t want[4096];
    int err;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    uint32_t blk = fs.blocks - 10; /* free: nothing reads it */
    struct ext2_buf *b = ext2_bread(&fs, blk, CLS_META, &err);
    CHECK(b != NULL);
    CHECK_EQ(ext2_bdirty(&fs, b, CLS_META), 0);
    for (uint32_t i = 0; i < fs.bsize; i++)
        b->data[i] = (uint8_t)(i * 9 + 4);
    memcpy(b->data, "\xc0\x3b\x39\x98", 4);
    memcpy(want, b->data, fs.bsize);
    ext2_brelse(&fs, b);
    /* The descriptor, the copy, the journal superblock, the commit: the
     * write in place is lost. */
    m.fail_after = (int)m.writes + 4;
    CHECK_EQ(ext2_sync(&fs), -EIO);
    uint32_t start = get_be32(jsb_word(&fs, &m, JSB_START));
    CHECK(start != 0);
    CHECK_EQ(get32(m.mem + jnl_off(&fs, start + 1)), 0);
    CHECK(memcmp(m.mem + ((uint64_t)blk << fs.bshift), want, fs.bsize) != 0);
    CHECK(memdev_save(&m, img));
    free(m.mem);
    CHECK(shell("e2fsck -p '%s' >/dev/null 2>&1", img) <= 1);
    CHECK(memdev_load(&m, img));
    CHECK_EQ(memcmp(m.mem + ((uint64_t)blk << fs.bshift), want, fs.bsize), 0);
    free(m.mem);
}

/* A name change is committed when it returns (dirsync): a crash right
 * after an unlink or a rename, with no sync, keeps it. */
static void check_dirsync(struct ext2_fs *fs, struct memdev *m, const char *img)
{
    char copy[300];
    uint32_t ino;
    snprintf(copy, sizeof(copy), "%s.copy", img);
    CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, "gone", 4, 0644, 0, 0, &ino), 0);
    CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, "a", 1, 0644, 0, 0, &ino), 0);
    CHECK_EQ(ext2_sync(fs), 0);
    CHECK_EQ(ext2_unlink(fs, EXT2_ROOT_INO, "gone", 4), 0);
    CHECK_EQ(ext2_rename(fs, EXT2_ROOT_INO, "a", 1, EXT2_ROOT_INO, "b", 1), 0);
    CHECK(memdev_save(m, copy));
    CHECK(shell("e2fsck -p '%s' >/dev/null 2>&1", copy) <= 1);
    CHECK_EQ(fsck(copy), 0);
    CHECK_EQ(shell("debugfs -R 'ls /' '%s' 2>/dev/null | tr -s ' ' '\\n' | "
                   "grep -qx gone",
                   copy),
             1);
    CHECK_EQ(shell("debugfs -R 'ls /' '%s' 2>/dev/null | tr -s ' ' '\\n' | "
                   "grep -qx b",
                   copy),
             0);
}

static void test_journal(void)
{
    char img[256];
    struct memdev m;
    static struct ext2_fs fs;
    uint32_t ino;
    snprintf(img, sizeof(img), "%s/journal.img", ext2_tmpdir());
    CHECK(mkfs(img, 4096, "16M", "-O has_journal -J size=4"));
    char want[300];
    snprintf(want, sizeof(want), "%s/f", ext2_tmpdir());
    put_file(want, keep, sizeof(keep));
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    /* Mounted: needs_recovery set; a sync leaves its transaction named
     * in the journal; the unmount empties it and clears the flag. */
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    CHECK(fs.jnl.on);
    CHECK(sb_get(&m, SB_INCOMPAT) & INCOMPAT_RECOVER);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "f", 1, 0644, 0, 0, &ino), 0);
    CHECK_EQ(ext2_write(&fs, ino, 0, keep, sizeof(keep)), (long)sizeof(keep));
    CHECK_EQ(ext2_sync(&fs), 0);
    CHECK(get_be32(jsb_word(&fs, &m, JSB_START)) != 0);
    check_dirsync(&fs, &m, img);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK_EQ(get_be32(jsb_word(&fs, &m, JSB_START)), 0);
    CHECK(!(sb_get(&m, SB_INCOMPAT) & INCOMPAT_RECOVER));
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    /* What it refuses to write. */
    sb_put(&m, SB_INCOMPAT, sb_get(&m, SB_INCOMPAT) | INCOMPAT_RECOVER);
    check_refused(&m, "needs recovery");
    sb_put(&m, SB_INCOMPAT, sb_get(&m, SB_INCOMPAT) & ~INCOMPAT_RECOVER);
    put_be32(jsb_word(&fs, &m, JSB_START), 1);
    check_refused(&m, "needs recovery");
    put_be32(jsb_word(&fs, &m, JSB_START), 0);
    static const uint32_t bad[] = {0x2, 0x8, 0x10, 0x20}; /* 64bit, csums */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put_be32(jsb_word(&fs, &m, JSB_INCOMPAT), bad[i]);
        check_refused(&m, "journal features");
    }
    put_be32(jsb_word(&fs, &m, JSB_INCOMPAT), 0);
    put_be32(jsb_word(&fs, &m, JSB_COMPAT), 0x1); /* checksum v1 */
    check_refused(&m, "journal features");
    put_be32(jsb_word(&fs, &m, JSB_COMPAT), 0);
    free(m.mem);
    test_journal_escape(img);
    CHECK_EQ(shell("debugfs -R 'cat /f' '%s' 2>/dev/null | cmp -s - '%s'", img,
                   want),
             0);
    printf("crash: the journal's states and refusals\n");
}

int main(void)
{
    for (size_t i = 0; i < sizeof(keep); i++)
        keep[i] = (uint8_t)(i * 7);
    for (size_t i = 0; i < sizeof(target_old); i++)
        target_old[i] = (uint8_t)(i * 3 + 1);
    for (size_t i = 0; i < sizeof(target_new); i++)
        target_new[i] = (uint8_t)(i * 5 + 2);
    test_journal();
    test_crash_points(1024, false);
    test_crash_points(4096, false);
    test_crash_points(1024, true);
    test_crash_points(4096, true);
    test_data_first();
    return check_done();
}
