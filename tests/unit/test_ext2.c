/*
 * tests/unit/test_ext2.c — the ext2 library (kernel/fs/ext2) against
 * e2fsprogs: on images mke2fs makes with 1 KiB and 4 KiB blocks, a long
 * seeded random run of create, mkdir, symlink (fast and slow), link,
 * write (sparse, far enough for double and, with 1 KiB blocks, triple
 * indirect blocks), truncate, rename (over files and empty directories,
 * into its own subtree refused), unlink and rmdir, each result checked
 * against an in-memory model of the tree with remounts on the way; then
 * e2fsck -fn must find the image clean and debugfs must show the model's
 * contents.  Also: a full volume gives ENOSPC and loses nothing written
 * before; trees made by mke2fs -d read back as the host has them; the
 * readdir cookie resumes; features the library cannot handle are refused
 * and an unclean file system is not mounted read-write.
 */
#include "ext2_host.h"
#include "ext2_model.h"

/* --- trees made by mke2fs -d ------------------------------------------ */

static void put_file(const char *dir, const char *name, size_t size,
                     unsigned seed)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    for (size_t i = 0; f && i < size; i++)
        fputc((int)((i * 31 + seed + i / 4096) & 0xff), f);
    if (f)
        fclose(f);
}

/* Compares the library's view of directory ino with host directory dir,
 * recursively. */
static void compare_tree(struct ext2_fs *fs, uint32_t ino, const char *dir,
                         int depth);

static void compare_entry(struct ext2_fs *fs, uint32_t ino, const char *path,
                          int depth)
{
    struct stat hs;
    struct ext2_stat st;
    CHECK_EQ(lstat(path, &hs), 0);
    CHECK_EQ(ext2_getattr(fs, ino, &st), 0);
    CHECK_EQ(st.mode & S_IFMT, hs.st_mode & S_IFMT);
    CHECK_EQ(st.mode & 07777, hs.st_mode & 07777);
    if (S_ISREG(hs.st_mode)) {
        CHECK_EQ(st.size, hs.st_size);
        uint8_t *want = malloc((size_t)hs.st_size + 1);
        uint8_t *got = malloc((size_t)hs.st_size + 1);
        FILE *f = fopen(path, "r");
        CHECK(f && fread(want, 1, (size_t)hs.st_size, f) == (size_t)hs.st_size);
        if (f)
            fclose(f);
        CHECK_EQ(ext2_read(fs, ino, 0, got, (size_t)hs.st_size + 1),
                 hs.st_size);
        CHECK(!memcmp(want, got, (size_t)hs.st_size));
        free(want);
        free(got);
    } else if (S_ISLNK(hs.st_mode)) {
        char want[4096], got[4096];
        ssize_t n = readlink(path, want, sizeof(want));
        CHECK_EQ(ext2_readlink(fs, ino, got, sizeof(got)), n);
        CHECK(n > 0 && !memcmp(want, got, (size_t)n));
    } else if (S_ISDIR(hs.st_mode)) {
        compare_tree(fs, ino, path, depth + 1);
    }
}

struct names {
    char name[64][64];
    uint32_t ino[64];
    int n;
};

static int collect(void *arg, const char *name, size_t len, uint32_t ino,
                   unsigned type, uint64_t next)
{
    struct names *nm = arg;
    if (nm->n >= 64 || len >= 64)
        return 1;
    memcpy(nm->name[nm->n], name, len);
    nm->name[nm->n][len] = 0;
    nm->ino[nm->n++] = ino;
    return 0;
}

static void compare_tree(struct ext2_fs *fs, uint32_t ino, const char *dir,
                         int depth)
{
    struct names nm = {.n = 0};
    uint64_t cookie = 0;
    CHECK_EQ(ext2_readdir(fs, ino, &cookie, collect, &nm), 0);
    int host = 0;
    for (int i = 0; i < nm.n; i++) {
        if (!strcmp(nm.name[i], ".") || !strcmp(nm.name[i], ".."))
            continue;
        if (depth == 0 && !strcmp(nm.name[i], "lost+found"))
            continue;
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, nm.name[i]);
        host++;
        compare_entry(fs, nm.ino[i], path, depth);
    }
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) = %d", dir, host);
    CHECK_EQ(shell("%s", cmd), 0);
}

static void test_mkfs_d(unsigned bsize)
{
    char src[256], img[256];
    snprintf(src, sizeof(src), "%s/src%u", ext2_tmpdir(), bsize);
    snprintf(img, sizeof(img), "%s/d%u.img", ext2_tmpdir(), bsize);
    CHECK_EQ(shell("mkdir -p '%s/sub/deeper' '%s/empty'", src, src), 0);
    put_file(src, "small", 100, 1);
    put_file(src, "zero", 0, 2);
    put_file(src, "direct", 12 * 1024, 3);
    put_file(src, "single", 200 * 1024, 4);
    put_file(src, "double", 1200 * 1024, 5); /* 1 KiB: double indirect */
    put_file(src, "sub/deeper/file", 5000, 6);
    char target[200];
    memset(target, 'x', sizeof(target) - 1);
    target[sizeof(target) - 1] = 0;
    CHECK_EQ(shell("ln -s small '%s/fast' && ln -s %s '%s/slow' && "
                   "ln '%s/small' '%s/sub/hard' && chmod 640 '%s/small'",
                   src, target, src, src, src, src),
             0);
    char extra[300];
    snprintf(extra, sizeof(extra), "-d '%s'", src);
    CHECK(mkfs(img, bsize, "8M", extra));
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    static struct ext2_fs fs;
    CHECK_EQ(ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY), 0);
    compare_tree(&fs, EXT2_ROOT_INO, src, 0);
    struct ext2_stat a, b;
    uint32_t i1, i2, sub;
    CHECK_EQ(ext2_lookup(&fs, EXT2_ROOT_INO, "small", 5, &i1), 0);
    CHECK_EQ(ext2_lookup(&fs, EXT2_ROOT_INO, "sub", 3, &sub), 0);
    CHECK_EQ(ext2_lookup(&fs, sub, "hard", 4, &i2), 0);
    CHECK_EQ(i1, i2);
    CHECK_EQ(ext2_getattr(&fs, i1, &a), 0);
    CHECK_EQ(a.nlink, 2);
    CHECK_EQ(ext2_getattr(&fs, sub, &b), 0);
    CHECK_EQ(b.nlink, 3);
    /* Read-only: every change refused. */
    CHECK_EQ(ext2_write(&fs, i1, 0, "x", 1), -EROFS);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "small", 5), -EROFS);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "new", 3, 0644, 0, 0, &i2),
             -EROFS);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK_EQ(m.writes, 0);
    free(m.mem);
}

/* An indexed directory (e2fsck -D builds the hash tree) reads as a linear
 * one; the first change clears EXT2_INDEX_FL, and e2fsck is content. */
static void test_dir_index(void)
{
    char src[256], img[256];
    snprintf(src, sizeof(src), "%s/htree", ext2_tmpdir());
    snprintf(img, sizeof(img), "%s/htree.img", ext2_tmpdir());
    CHECK_EQ(shell("mkdir -p '%s/big' && cd '%s/big' && "
                   "for i in $(seq 1 400); do echo $i >file-$i; done",
                   src, src),
             0);
    char extra[300];
    snprintf(extra, sizeof(extra), "-d '%s'", src);
    CHECK(mkfs(img, 1024, "8M", extra));
    CHECK_EQ(shell("e2fsck -fyD '%s' >/dev/null 2>&1; "
                   "debugfs -R 'stat /big' '%s' 2>/dev/null | "
                   "grep -q 'Flags: 0x1000'",
                   img, img),
             0);
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    static struct ext2_fs fs;
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    uint32_t big, ino;
    CHECK_EQ(ext2_lookup(&fs, EXT2_ROOT_INO, "big", 3, &big), 0);
    struct ext2_inode in;
    CHECK_EQ(ext2_iread(&fs, big, &in), 0);
    CHECK(in.flags & EXT2_INDEX_FL);
    int n = 0;
    uint64_t cookie = 0;
    CHECK_EQ(ext2_readdir(&fs, big, &cookie, count_fn, &n), 0);
    CHECK_EQ(n, 402);
    CHECK_EQ(ext2_lookup(&fs, big, "file-399", 8, &ino), 0);
    char buf[8];
    CHECK_EQ(ext2_read(&fs, ino, 0, buf, sizeof(buf)), 4);
    CHECK(!memcmp(buf, "399\n", 4));
    CHECK_EQ(ext2_create(&fs, big, "added", 5, 0644, 0, 0, &ino), 0);
    CHECK_EQ(ext2_unlink(&fs, big, "file-7", 6), 0);
    CHECK_EQ(ext2_iread(&fs, big, &in), 0);
    CHECK(!(in.flags & EXT2_INDEX_FL));
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    CHECK_EQ(
        shell("debugfs -R 'ls /big' '%s' 2>/dev/null | grep -q added", img), 0);
    free(m.mem);
}

/* A guest whose wall clock starts at 1970 (no RTC): files created and
 * deleted a few seconds after the epoch must not look to e2fsck like a
 * corrupted orphan list (a deletion time below the inode count) once a
 * later run with a clock has written the superblock. */
static int64_t early_now(void *ctx)
{
    return 5;
}

static void test_no_clock(void)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/clock.img", ext2_tmpdir());
    CHECK(mkfs(img, 1024, "4M", NULL));
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    dev.now = early_now;
    static struct ext2_fs fs;
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    uint32_t f, d;
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "f", 1, 0600, 0, 0, &f), 0);
    CHECK_EQ(ext2_write(&fs, f, 0, "data", 4), 4);
    CHECK_EQ(ext2_mkdir(&fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &d), 0);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "f", 1), 0);
    CHECK_EQ(ext2_rmdir(&fs, EXT2_ROOT_INO, "d", 1), 0);
    struct ext2_inode in;
    CHECK_EQ(ext2_iread(&fs, f, &in), 0);
    CHECK(in.dtime >= fs.inodes);
    CHECK_EQ(ext2_unmount(&fs), 0);
    /* A later run with a clock stamps the superblock with a real time,
     * and from then on e2fsck checks the deletion times. */
    dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    CHECK_EQ(ext2_create(&fs, EXT2_ROOT_INO, "g", 1, 0600, 0, 0, &f), 0);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    free(m.mem);
}

/* --- the readdir cookie, errors, features ------------------------------ */

struct one_at_a_time {
    int seen;
    char names[200][8];
};

static int take_one(void *arg, const char *name, size_t len, uint32_t ino,
                    unsigned type, uint64_t next)
{
    struct one_at_a_time *o = arg;
    if (o->seen < 0)
        return 1; /* full: take nothing more */
    if (o->seen < 200 && len < 8) {
        memcpy(o->names[o->seen], name, len);
        o->names[o->seen][len] = 0;
    }
    o->seen++;
    return 0;
}

static int stop_after_one(void *arg, const char *name, size_t len, uint32_t ino,
                          unsigned type, uint64_t next)
{
    int *n = arg;
    if (*n)
        return 1;
    (*n)++;
    return 0;
}

static void test_api(void)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/api.img", ext2_tmpdir());
    CHECK(mkfs(img, 1024, "4M", NULL));
    struct memdev m;
    CHECK(memdev_load(&m, img));
    struct ext2_dev dev = memdev_dev(&m);
    static struct ext2_fs fs;
    CHECK_EQ(ext2_mount(&fs, &dev, 0), 0);
    /* Marked not clean while mounted read-write. */
    CHECK_EQ(get16(m.mem + 1024 + SB_STATE) & EXT2_VALID_FS, 0);
    uint32_t d, f, x;
    CHECK_EQ(ext2_mkdir(&fs, EXT2_ROOT_INO, "d", 1, 0755, 1, 2, &d), 0);
    char name[8];
    for (int i = 0; i < 150; i++) {
        int n = snprintf(name, sizeof(name), "f%d", i);
        CHECK_EQ(ext2_create(&fs, d, name, (size_t)n, 0600, 0, 0, &f), 0);
    }
    /* One entry per call, resumed from the cookie: each seen once. */
    uint64_t cookie = 0;
    int total = 0;
    for (int guard = 0; guard < 400; guard++) {
        int one = 0;
        uint64_t before = cookie;
        CHECK_EQ(ext2_readdir(&fs, d, &cookie, stop_after_one, &one), 0);
        total += one;
        if (!one)
            break;
        CHECK(cookie > before);
    }
    CHECK_EQ(total, 152);
    /* All at once: the same entries. */
    struct one_at_a_time o = {.seen = 0};
    cookie = 0;
    CHECK_EQ(ext2_readdir(&fs, d, &cookie, take_one, &o), 0);
    CHECK_EQ(o.seen, 152);
    CHECK_EQ(ext2_lookup(&fs, d, "nope", 4, &x), -ENOENT);
    CHECK_EQ(ext2_lookup(&fs, f, "x", 1, &x), -ENOTDIR);
    char longname[300];
    memset(longname, 'a', sizeof(longname));
    CHECK_EQ(ext2_create(&fs, d, longname, 256, 0600, 0, 0, &x), -ENAMETOOLONG);
    CHECK_EQ(ext2_create(&fs, d, longname, 255, 0600, 0, 0, &x), 0);
    CHECK_EQ(ext2_create(&fs, d, "f1", 2, 0600, 0, 0, &x), -EEXIST);
    CHECK_EQ(ext2_create(&fs, d, "a/b", 3, 0600, 0, 0, &x), -EINVAL);
    CHECK_EQ(ext2_mkdir(&fs, d, ".", 1, 0700, 0, 0, &x), -EEXIST);
    CHECK_EQ(ext2_rmdir(&fs, EXT2_ROOT_INO, "d", 1), -ENOTEMPTY);
    CHECK_EQ(ext2_rmdir(&fs, d, ".", 1), -EINVAL);
    CHECK_EQ(ext2_rmdir(&fs, d, "..", 2), -ENOTEMPTY);
    CHECK_EQ(ext2_rmdir(&fs, d, "f1", 2), -ENOTDIR);
    CHECK_EQ(ext2_unlink(&fs, EXT2_ROOT_INO, "d", 1), -EISDIR);
    CHECK_EQ(ext2_link(&fs, d, EXT2_ROOT_INO, "dl", 2), -EPERM);
    CHECK_EQ(ext2_read(&fs, d, 0, name, 1), -EISDIR);
    CHECK_EQ(ext2_truncate(&fs, d, 0), -EISDIR);
    uint32_t e;
    CHECK_EQ(ext2_mkdir(&fs, d, "e", 1, 0700, 0, 0, &e), 0);
    CHECK_EQ(ext2_rename(&fs, EXT2_ROOT_INO, "d", 1, e, "d", 1), -EINVAL);
    CHECK_EQ(ext2_rename(&fs, EXT2_ROOT_INO, "d", 1, d, "x", 1), -EINVAL);
    CHECK_EQ(ext2_rename(&fs, d, "f2", 2, d, "e", 1), -EISDIR);
    CHECK_EQ(ext2_rename(&fs, d, "e", 1, d, "f2", 2), -ENOTDIR);
    CHECK_EQ(ext2_getattr(&fs, 0, &(struct ext2_stat){0}), -EINVAL);
    CHECK_EQ(ext2_getattr(&fs, fs.inodes + 1, &(struct ext2_stat){0}), -EINVAL);
    CHECK_EQ(ext2_getattr(&fs, fs.inodes, &(struct ext2_stat){0}), -ESTALE);
    /* setattr. */
    struct ext2_stat st = {.mode = 0104755,
                           .uid = 70000,
                           .gid = 9,
                           .atime = 5,
                           .mtime = 6,
                           .ctime = 7};
    CHECK_EQ(ext2_setattr(&fs, f, &st,
                          EXT2_SET_MODE | EXT2_SET_UID | EXT2_SET_GID |
                              EXT2_SET_ATIME | EXT2_SET_MTIME | EXT2_SET_CTIME),
             0);
    CHECK_EQ(ext2_getattr(&fs, f, &st), 0);
    CHECK_EQ(st.mode, 0104755);
    CHECK_EQ(st.uid, 70000);
    CHECK_EQ(st.gid, 9);
    CHECK_EQ(st.atime + st.mtime + st.ctime, 18);
    st.size = 5000;
    CHECK_EQ(ext2_setattr(&fs, f, &st, EXT2_SET_SIZE), 0);
    CHECK_EQ(ext2_getattr(&fs, f, &st), 0);
    CHECK_EQ(st.size, 5000);
    CHECK_EQ(st.blocks, 0);
    /* Past the double indirect blocks' reach: a triple indirect one. */
    uint64_t far = (12 + 256 + 256 * 256 + 5) * 1024ULL + 17;
    CHECK_EQ(ext2_write(&fs, f, far, "tail", 4), 4);
    struct ext2_inode in;
    CHECK_EQ(ext2_iread(&fs, f, &in), 0);
    CHECK(in.block[TIND] != 0);
    CHECK_EQ(in.blocks, 2 * 4); /* three indirect blocks and the data */
    char got[8] = {0};
    CHECK_EQ(ext2_read(&fs, f, far - 2, got, 8), 6);
    CHECK(!memcmp(got, "\0\0tail", 6));
    CHECK_EQ(ext2_truncate(&fs, f, 100), 0);
    CHECK_EQ(ext2_iread(&fs, f, &in), 0);
    CHECK_EQ(in.block[TIND], 0);
    CHECK_EQ(in.blocks, 0);
    CHECK_EQ(ext2_fsync(&fs, f), 0);
    CHECK_EQ(ext2_unmount(&fs), 0);
    CHECK_EQ(get16(m.mem + 1024 + SB_STATE) & EXT2_VALID_FS, EXT2_VALID_FS);
    CHECK(memdev_save(&m, img));
    CHECK_EQ(fsck(img), 0);
    /* Not clean: no read-write mount, a read-only one works. */
    put16(m.mem + 1024 + SB_STATE, 0);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), -EROFS);
    CHECK_EQ(ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY), 0);
    free(m.mem);
}

static void test_features(void)
{
    char img[256];
    snprintf(img, sizeof(img), "%s/feat.img", ext2_tmpdir());
    static struct ext2_fs fs;
    struct memdev m;
    struct ext2_dev dev;
    static const struct {
        const char *opts;
        int rw, ro;
    } cases[] = {
        {"-O extent", -EINVAL, -EINVAL},
        {"-O extent,64bit", -EINVAL, -EINVAL},
        {"-O meta_bg,^resize_inode", -EINVAL, -EINVAL},
        {"-O flex_bg", -EINVAL, -EINVAL},
        {"-O huge_file", -EROFS, 0},
        {"-O dir_nlink", -EROFS, 0},
        {"-O ^filetype,^dir_index", 0, 0},
        {"-O ^sparse_super,^resize_inode", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!mkfs(img, 1024, "2M", cases[i].opts))
            fprintf(stderr, "mke2fs %s failed\n", cases[i].opts);
        CHECK(memdev_load(&m, img));
        dev = memdev_dev(&m);
        int rw = ext2_mount(&fs, &dev, 0);
        if (rw != cases[i].rw)
            fprintf(stderr, "features %s: %d\n", cases[i].opts, rw);
        CHECK_EQ(rw, cases[i].rw);
        CHECK(rw == 0 || fs.msg != NULL);
        if (!rw) {
            uint32_t ino;
            CHECK_EQ(ext2_mkdir(&fs, EXT2_ROOT_INO, "d", 1, 0755, 0, 0, &ino),
                     0);
            CHECK_EQ(ext2_symlink(&fs, ino, "l", 1, "target", 6, 0, 0, &ino),
                     0);
            CHECK_EQ(ext2_unmount(&fs), 0);
            CHECK(memdev_save(&m, img));
            CHECK_EQ(fsck(img), 0);
        }
        CHECK_EQ(ext2_mount(&fs, &dev, EXT2_MOUNT_RDONLY), cases[i].ro);
        free(m.mem);
    }
    /* Not ext2 at all. */
    uint8_t zero[8192] = {0};
    m = (struct memdev){.mem = zero, .size = sizeof(zero)};
    dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), -EINVAL);
    m.size = 1024;
    dev = memdev_dev(&m);
    CHECK_EQ(ext2_mount(&fs, &dev, 0), -EINVAL);
}

int main(void)
{
    test_features();
    test_api();
    test_mkfs_d(1024);
    test_mkfs_d(4096);
    test_dir_index();
    test_no_clock();
    model_run(1024, "64M", 1, 3000);
    model_run(4096, "64M", 2, 2000);
    model_full(1024);
    model_full(4096);
    return check_done();
}
