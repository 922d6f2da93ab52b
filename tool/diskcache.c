/*
 * tool/diskcache.c — the cache of image disks (see diskcache.h and
 * docs/IMAGE.md, "The disk cache"), whose directory, durability and size
 * bound the cache of images (imagecache.c) shares.
 *
 * Where: $GORUMP_CACHE_DIR, else $XDG_CACHE_HOME/gorump/disks, else
 * $HOME/.cache/gorump/disks; GORUMP_CACHE=off turns the cache off.
 *
 * Names: an entry is named by the FNV-1a hash (64 bits) of its recipe:
 * for each file on the disk, in disk order, the identity of the host file
 * its bytes come from (device, inode, size, and mtime and ctime to the
 * nanosecond: a file rewritten in place gets a new ctime, which no
 * program can set back), the range taken from it, then the disk's size.
 * The sources are looked at again after an entry is written; one that
 * changed meanwhile keeps the entry out of the cache.
 *
 * Durability: an entry is renamed into place without waiting for the
 * host's disk (that would add the write-out of 100 MB to the run that
 * made it); writeback is only started.  In the host's current boot the
 * page cache makes it good at once.  A later run that finds it a minute
 * or more after it was made waits for its data to be on the host's disk
 * (fdatasync: done by then, so cheap) and marks it durable with mode
 * 0400.  An unmarked entry from before the host's last boot may have
 * lost bytes in a crash, so it is made again.
 *
 * Size: entries (disks and images) take at most GORUMP_CACHE_MAX bytes of the
 * host's disk (default 2 GiB; K, M, G, T suffixes); whenever one is used the
 * least recently used go (each use moves an entry's mtime), except those used
 * within the last minute, which a run may be about to hand to QEMU.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "diskcache.h"
#include "image_plan.h"
#include "pack.h"
#include "util.h"

#define CACHE_MAX_DEFAULT (2ull << 30)
#define RECENT_S 60           /* a use this recent protects an entry */
#define STALE_TMP_S (60 * 60) /* a half-written entry older is removed */
#define DURABLE_MODE 0400

struct recipe {
    uint64_t h;
};

static void mix(struct recipe *r, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++) {
        r->h ^= b[i];
        r->h *= 0x100000001b3ull; /* FNV-1a's 64-bit prime */
    }
}

static void mix64(struct recipe *r, uint64_t v)
{
    mix(r, &v, sizeof(v));
}

/* The recipe of IN's disk: 0, 1 when a file has no host file, -1
 * (reported) when a host file is gone. */
static int recipe_of(const struct image_input *in, uint64_t disk_size,
                     uint64_t *out)
{
    struct recipe r = {0xcbf29ce484222325ull}; /* FNV-1a's offset basis */
    const struct pack_list *l = in->files;
    struct stat st;

    mix(&r, "gorump-disk-1", 13);
    for (size_t i = 0; l != NULL && i < l->n; i++) {
        const struct pack_file *f = &l->v[i];
        if (!image_on_disk(f))
            continue;
        if (f->host == NULL)
            return 1;
        if (stat(f->host, &st) != 0) {
            report("%s: %s", f->host, strerror(errno));
            return -1;
        }
        mix64(&r, (uint64_t)st.st_dev);
        mix64(&r, (uint64_t)st.st_ino);
        mix64(&r, (uint64_t)st.st_size);
        mix64(&r, (uint64_t)st.st_mtim.tv_sec);
        mix64(&r, (uint64_t)st.st_mtim.tv_nsec);
        mix64(&r, (uint64_t)st.st_ctim.tv_sec);
        mix64(&r, (uint64_t)st.st_ctim.tv_nsec);
        mix64(&r, (uint64_t)f->from_disk);
        mix64(&r, f->host_off);
        mix64(&r, f->size);
    }
    mix64(&r, disk_size);
    *out = r.h;
    return 0;
}

/* mkdir -p PATH (mode 0700); 0 or -1 (errno set). */
static int make_dirs(char *path)
{
    for (char *p = path + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int err = mkdir(path, 0700) != 0 && errno != EEXIST;
        *p = '/';
        if (err)
            return -1;
    }
    return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int diskcache_dir(char *out, size_t size)
{
    const char *off = getenv("GORUMP_CACHE");
    const char *dir = getenv("GORUMP_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;

    if (off != NULL && (strcmp(off, "off") == 0 || strcmp(off, "0") == 0))
        return 1;
    if (dir != NULL && dir[0] != '\0')
        n = snprintf(out, size, "%s", dir);
    else if (xdg != NULL && xdg[0] == '/')
        n = snprintf(out, size, "%s/gorump/disks", xdg);
    else if (home != NULL && home[0] == '/')
        n = snprintf(out, size, "%s/.cache/gorump/disks", home);
    else
        return 1;
    if (n < 0 || (size_t)n >= size)
        return 1;
    if (make_dirs(out) != 0) {
        /* Only a directory the user named is worth a word. */
        if (dir != NULL && dir[0] != '\0')
            report("warning: GORUMP_CACHE_DIR=%s: %s; not caching", dir,
                   strerror(errno));
        return 1;
    }
    return 0;
}

/* GORUMP_CACHE_MAX in bytes, or the default when unset or malformed. */
static uint64_t cache_max(void)
{
    const char *s = getenv("GORUMP_CACHE_MAX");
    char *end;
    unsigned long long n;
    int shift = 0;

    if (s == NULL || *s < '0' || *s > '9')
        return CACHE_MAX_DEFAULT;
    errno = 0;
    n = strtoull(s, &end, 10);
    if (*end != '\0' && end[1] == '\0')
        shift = *end == 'K'   ? 10
                : *end == 'M' ? 20
                : *end == 'G' ? 30
                : *end == 'T' ? 40
                              : -1;
    else if (*end != '\0')
        shift = -1;
    if (errno != 0 || shift < 0 || n > (UINT64_MAX >> shift)) {
        report("warning: GORUMP_CACHE_MAX=%s: want bytes, such as 4G; "
               "using 2G",
               s);
        return CACHE_MAX_DEFAULT;
    }
    return (uint64_t)n << shift;
}

/* When the host last booted (/proc/stat's btime), or 0 if unknown. */
static time_t host_boot_time(void)
{
    FILE *f = fopen("/proc/stat", "re");
    char line[256];
    long long t = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "btime %lld", &t) == 1)
            break;
    fclose(f);
    return (time_t)t;
}

int diskcache_usable(const char *path, uint64_t disk_size)
{
    struct stat st;
    time_t now = time(NULL);
    int fd;

    if (stat(path, &st) != 0)
        return 0;
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != disk_size ||
        ((st.st_mode & 0777) != DURABLE_MODE &&
         st.st_ctim.tv_sec < host_boot_time())) {
        unlink(path);
        return 0;
    }
    if ((st.st_mode & 0777) != DURABLE_MODE &&
        now - st.st_ctim.tv_sec >= RECENT_S &&
        (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        if (fdatasync(fd) == 0)
            fchmod(fd, DURABLE_MODE);
        close(fd);
    }
    utimensat(AT_FDCWD, path, NULL, 0); /* used now */
    return 1;
}

struct victim {
    char name[64];
    time_t used;
    uint64_t bytes;
};

static int by_use(const void *a, const void *b)
{
    const struct victim *x = a, *y = b;

    return (x->used > y->used) - (x->used < y->used);
}

/* The entries of DIR, oldest use first, in *out (free() it); how many,
 * with their bytes summed in *total.  Half-written ones found stale are
 * removed on the way. */
static size_t list_entries(const char *dir, struct victim **out,
                           uint64_t *total)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct victim *v = NULL;
    size_t n = 0, cap = 0;
    time_t now = time(NULL);
    struct stat st;

    *total = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        int tmp = strncmp(e->d_name, "tmp.", 4) == 0;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || len >= sizeof(v->name))
            continue;
        if (tmp && now - st.st_mtim.tv_sec > STALE_TMP_S)
            unlinkat(dirfd(d), e->d_name, 0);
        if (tmp || !((len >= 5 && strcmp(e->d_name + len - 5, ".disk") == 0) ||
                     (len >= 4 && strcmp(e->d_name + len - 4, ".img") == 0)))
            continue;
        if (n == cap) {
            struct victim *w =
                realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
            if (w == NULL)
                break;
            v = w;
        }
        memcpy(v[n].name, e->d_name, len + 1);
        v[n].used = st.st_mtim.tv_sec;
        v[n].bytes = (uint64_t)st.st_blocks * 512;
        *total += v[n++].bytes;
    }
    if (d != NULL)
        closedir(d);
    if (n > 0)
        qsort(v, n, sizeof(*v), by_use);
    *out = v;
    return n;
}

void diskcache_evict(const char *dir, const char *keep)
{
    uint64_t max = cache_max(), total;
    struct victim *v;
    size_t n = list_entries(dir, &v, &total);
    time_t now = time(NULL);
    char path[4096];

    for (size_t i = 0; i < n && total > max; i++) {
        if (strcmp(v[i].name, keep) == 0 || now - v[i].used < RECENT_S)
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, v[i].name) <
                sizeof(path) &&
            unlink(path) == 0)
            total -= v[i].bytes;
    }
    free(v);
}

/* Writes the disk into a new entry PATH (by way of TMP).  0, 1 when a
 * source changed meanwhile (nothing kept), -1 (reported), a signal. */
static int entry_write(const struct image_input *in, uint64_t disk_size,
                       uint64_t key, const char *tmp, const char *path,
                       int sigfd)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), err;
    uint64_t again = 0;

    if (fd < 0) {
        report("%s: cannot create the disk: %s", tmp, strerror(errno));
        return -1;
    }
    err = image_write_disk(fd, tmp, in, sigfd);
    if (err == 0) /* start the write-out; nobody waits for it here */
        sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    if (close(fd) != 0 && err == 0) {
        report("%s: cannot write the disk: %s", tmp, strerror(errno));
        err = -1;
    }
    if (err == 0 && (recipe_of(in, disk_size, &again) != 0 || again != key))
        err = 1;
    return diskcache_commit(tmp, path, err);
}

int diskcache_commit(const char *tmp, const char *path, int err)
{
    if (err == 0 && rename(tmp, path) != 0) {
        report("%s: %s", path, strerror(errno));
        err = -1;
    }
    if (err != 0)
        unlink(tmp);
    return err;
}

int diskcache_get(const struct image_input *in, char *out, size_t size,
                  int sigfd)
{
    char dir[4096], name[64], tmp[4096];
    uint64_t disk_size = image_disk_size(in), key;
    int err = recipe_of(in, disk_size, &key);

    if (err != 0 || disk_size == 0 || diskcache_dir(dir, sizeof(dir)) != 0)
        return err < 0 ? -1 : 1;
    snprintf(name, sizeof(name), "%016llx.disk", (unsigned long long)key);
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) >= size ||
        (size_t)snprintf(tmp, sizeof(tmp), "%s/tmp.%ld.%s", dir, (long)getpid(),
                         name) >= sizeof(tmp))
        return 1;
    err = diskcache_usable(out, disk_size)
              ? 0
              : entry_write(in, disk_size, key, tmp, out, sigfd);
    if (err == 0)
        diskcache_evict(dir, name);
    return err;
}
