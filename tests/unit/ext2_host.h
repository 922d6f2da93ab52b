/*
 * tests/unit/ext2_host.h — the ext2 library (kernel/fs/ext2) built for the
 * host, for test_ext2.c and test_ext2_hostile.c: its sources, a device in
 * memory (an image file read whole; ASan sees every byte the library
 * touches) and the e2fsprogs commands the tests check the library
 * against (mke2fs, e2fsck, debugfs), run through the shell.
 */
#ifndef GORUMP_TESTS_EXT2_HOST_H
#define GORUMP_TESTS_EXT2_HOST_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/ext2/alloc.c"
#include "fs/ext2/bmap.c"
#include "fs/ext2/cache.c"
#include "fs/ext2/data.c"
#include "fs/ext2/dir.c"
#include "fs/ext2/inode.c"
#include "fs/ext2/journal.c"
#include "fs/ext2/namei.c"
#include "fs/ext2/super.c"

#include "arch/x86_64/arch.h"
#include "check.h"
#include "kshim.c"

#define UNUSED __attribute__((unused))

/* An image held in memory; writes and flushes are counted. */
struct memdev {
    uint8_t *mem;
    uint64_t size;
    long writes, flushes;
    int fail_after; /* > 0: writes after this many fail with -EIO */
};

static int memdev_read(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct memdev *m = ctx;
    CHECK(off % 512 == 0 && len % 512 == 0 && off + len <= m->size);
    if (off + len > m->size)
        return -EIO;
    memcpy(buf, m->mem + off, len);
    return 0;
}

static int memdev_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
    struct memdev *m = ctx;
    CHECK(off % 512 == 0 && len % 512 == 0 && off + len <= m->size);
    if (off + len > m->size)
        return -EIO;
    if (m->fail_after && m->writes >= m->fail_after)
        return -EIO;
    m->writes++;
    memcpy(m->mem + off, buf, len);
    return 0;
}

static int memdev_flush(void *ctx)
{
    struct memdev *m = ctx;
    m->flushes++;
    return 0;
}

static int64_t memdev_now(void *ctx)
{
    return 1700000000;
}

static UNUSED struct ext2_dev memdev_dev(struct memdev *m)
{
    return (struct ext2_dev){
        m, m->size, memdev_read, memdev_write, memdev_flush, memdev_now};
}

/* Runs a shell command; its exit status. */
static UNUSED int shell(const char *fmt, ...) __printf(1, 2);
static int shell(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static UNUSED bool memdev_load(struct memdev *m, const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st))
        return false;
    m->size = (uint64_t)st.st_size;
    m->mem = malloc(m->size);
    bool ok = m->mem && pread(fd, m->mem, m->size, 0) == (ssize_t)m->size;
    close(fd);
    m->writes = m->flushes = 0;
    m->fail_after = 0;
    return ok;
}

static UNUSED bool memdev_save(struct memdev *m, const char *path)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);
    bool ok = fd >= 0 && pwrite(fd, m->mem, m->size, 0) == (ssize_t)m->size;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* A scratch directory for the test's images, removed at exit. */
static char ext2_tmp[64];

static void ext2_tmp_rm(void)
{
    if (ext2_tmp[0])
        shell("rm -rf '%s'", ext2_tmp);
}

static UNUSED const char *ext2_tmpdir(void)
{
    if (!ext2_tmp[0]) {
        snprintf(ext2_tmp, sizeof(ext2_tmp), "/tmp/gorump-ext2-XXXXXX");
        if (!mkdtemp(ext2_tmp)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(ext2_tmp_rm);
    }
    return ext2_tmp;
}

/* mke2fs -t ext2 as Debian's defaults make it, quietly; extra options
 * (such as -d DIR) after. */
static UNUSED bool mkfs(const char *img, unsigned bsize, const char *size,
                        const char *extra)
{
    return shell("rm -f '%s' && mke2fs -q -F -t ext2 -b %u %s '%s' %s "
                 ">/dev/null 2>&1",
                 img, bsize, extra ? extra : "", img, size) == 0;
}

/* e2fsck -fn: 0 when the file system is clean; its output on failure. */
static UNUSED int fsck(const char *img)
{
    int st = shell("e2fsck -fn '%s' >'%s.fsck' 2>&1", img, img);
    if (st) {
        fprintf(stderr, "e2fsck -fn %s: status %d\n", img, st);
        shell("head -n 40 '%s.fsck' >&2", img);
    }
    return st;
}

#endif
