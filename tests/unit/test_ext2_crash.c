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
 */
#include "ext2_host.h"

static uint32_t held_ino;
static uint8_t keep[5000]; /* "keep": synced before the workload */

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

/* Mounts the image, makes the synced state (a file "old" and "keep"),
 * then runs the workload with writes lost after fail_after (0: none):
 * the number of writes the workload made. */
static long crash_run(const char *img, const char *out, int fail_after)
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
    CHECK_EQ(ext2_sync(&fs), 0);
    long before = m.writes;
    m.fail_after = fail_after ? (int)before + fail_after : 0;
    workload(&fs);
    long n = m.writes - before;
    CHECK(memdev_save(&m, out));
    free(m.mem);
    return n;
}

/* The image after a crash: repaired by e2fsck -p alone, then clean, with
 * "keep" as want holds it. */
static void check_repairable(const char *img, const char *want, int n)
{
    int st = shell("e2fsck -p '%s' >/dev/null 2>&1", img);
    if (st > 1) {
        fprintf(stderr, "crash after %d writes: e2fsck -p status %d:\n", n, st);
        shell("e2fsck -fn '%s' 2>&1 | grep -v '^Pass\\|^e2fsck' | head -8 >&2",
              img);
    }
    CHECK(st <= 1);
    CHECK_EQ(shell("e2fsck -fn '%s' >/dev/null 2>&1", img), 0);
    CHECK_EQ(shell("debugfs -R 'cat /keep' '%s' 2>/dev/null | cmp -s - '%s'",
                   img, want),
             0);
}

static void test_crash_points(unsigned bsize)
{
    char img[256], out[256], want[256];
    snprintf(img, sizeof(img), "%s/crash%u.img", ext2_tmpdir(), bsize);
    snprintf(out, sizeof(out), "%s/crashed%u.img", ext2_tmpdir(), bsize);
    snprintf(want, sizeof(want), "%s/keep", ext2_tmpdir());
    CHECK(mkfs(img, bsize, "2M", NULL));
    FILE *f = fopen(want, "w");
    CHECK(f && fwrite(keep, 1, sizeof(keep), f) == sizeof(keep));
    if (f)
        fclose(f);
    long total = crash_run(img, out, 0);
    CHECK(total > 20);
    CHECK_EQ(shell("e2fsck -fn '%s' >/dev/null 2>&1", out), 0);
    for (int n = 1; n <= total; n++) {
        crash_run(img, out, n);
        check_repairable(out, want, n);
    }
    printf("crash: %u-byte blocks, %ld crash points\n", bsize, total);
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

int main(void)
{
    for (size_t i = 0; i < sizeof(keep); i++)
        keep[i] = (uint8_t)(i * 7);
    test_crash_points(1024);
    test_crash_points(4096);
    test_data_first();
    return check_done();
}
