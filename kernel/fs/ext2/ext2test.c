/*
 * fs/ext2/ext2test.c — a boot-time self-test of the ext2 library on a
 * real disk, run under gorump.ext2test (main.c).  The host (tests/guest/
 * run.sh, tool/ext2-selftest) attaches a volume made by mke2fs -d with
 * hello.txt, remove-me and dir/; this mounts it read-write and, one line
 * each, "ext2test: ...":
 *
 *   - counts the root's entries and reads hello.txt;
 *   - makes dir/new.txt, writes 300 KiB to big.bin (indirect blocks),
 *     renames dir/ to moved/, unlinks remove-me;
 *   - unmounts, which marks the file system clean.
 *
 * The host then runs e2fsck -fn and reads the files back with debugfs.
 */
#include "fs/ext2/ext2_blkdev.h"
#include "mm/mm.h"

static int count_fn(void *arg, const char *name, size_t len, uint32_t ino,
                    unsigned type, uint64_t next)
{
    (*(int *)arg)++;
    return 0;
}

static void et_read(struct ext2_fs *fs)
{
    uint32_t ino;
    char buf[64];
    int n = 0;
    uint64_t cookie = 0;
    int err = ext2_readdir(fs, EXT2_ROOT_INO, &cookie, count_fn, &n);
    kprintf("ext2test: / has %d entries (%d)\n", n, err);
    err = ext2_lookup(fs, EXT2_ROOT_INO, "hello.txt", 9, &ino);
    long got = err ? err : ext2_read(fs, ino, 0, buf, sizeof(buf) - 1);
    buf[got > 0 ? got : 0] = 0;
    kprintf("ext2test: hello.txt: %ld bytes: %s", got, buf);
}

static int et_write(struct ext2_fs *fs)
{
    uint32_t dir, ino;
    static const char text[] = "written by the guest\n";
    int err = ext2_lookup(fs, EXT2_ROOT_INO, "dir", 3, &dir);
    if (!err)
        err = ext2_create(fs, dir, "new.txt", 7, 0644, 0, 0, &ino);
    if (!err && ext2_write(fs, ino, 0, text, sizeof(text) - 1) < 0)
        err = -EIO;
    if (!err)
        err = ext2_create(fs, EXT2_ROOT_INO, "big.bin", 7, 0600, 0, 0, &ino);
    uint64_t pa = err ? 0 : pmem_alloc(0);
    if (!err && !pa)
        err = -ENOMEM;
    uint8_t *page = phys_to_virt(pa);
    for (uint64_t off = 0; !err && off < (300u << 10); off += PAGE_SIZE) {
        for (size_t i = 0; i < PAGE_SIZE; i++)
            page[i] = (uint8_t)((off + i) % 251);
        long n = ext2_write(fs, ino, off, page, PAGE_SIZE);
        err = n < 0 ? (int)n : 0;
    }
    if (pa)
        pmem_free(pa, 0);
    if (!err)
        err =
            ext2_rename(fs, EXT2_ROOT_INO, "dir", 3, EXT2_ROOT_INO, "moved", 5);
    if (!err)
        err = ext2_unlink(fs, EXT2_ROOT_INO, "remove-me", 9);
    return err;
}

void ext2test_run(void)
{
    struct blkdev *b = blkdev_find("gorump-test");
    struct ext2_fs *fs = kmalloc(sizeof(*fs));
    struct ext2_blkdev bd = {0};
    struct ext2_dev dev;
    if (!b || !fs || ext2_blkdev_init(&bd, b, &dev)) {
        kprintf("ext2test: no disk, or no memory\n");
        goto out;
    }
    int err = ext2_mount(fs, &dev, 0);
    kprintf("ext2test: mount: %d%s%s\n", err, fs->msg ? " " : "",
            fs->msg ? fs->msg : "");
    if (err)
        goto out;
    et_read(fs);
    kprintf("ext2test: write: %d\n", et_write(fs));
    kprintf("ext2test: unmount: %d\n", ext2_unmount(fs));
out:
    ext2_blkdev_fini(&bd);
    kfree(fs);
}
