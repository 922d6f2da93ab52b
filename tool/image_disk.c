/*
 * tool/image_disk.c — the disk beside an image (docs/IMAGE.md, "The
 * disk"): the data of its large regular files, each at a page boundary
 * and padded with zeros to a whole page, in record order, at the offsets
 * image_plan.c gave them.  Only the data regions of a sparse source are
 * copied (SEEK_DATA/SEEK_HOLE): the disk is made its full size with
 * ftruncate first, so holes stay holes on the host and cost nothing to
 * write (a 1 GiB file that is mostly a hole packs in milliseconds).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "image_plan.h"
#include "image_write.h"
#include "pack.h"
#include "proc.h"
#include "util.h"

#define COPY_BUF (1u << 20)

struct disk_out {
    int fd;
    const char *path;
    uint8_t *buf;
    uint64_t base; /* where the disk starts in fd */
};

static int disk_pwrite(struct disk_out *d, const void *p, size_t n, uint64_t at)
{
    const uint8_t *b = p;

    at += d->base;
    while (n > 0) {
        ssize_t w = pwrite(d->fd, b, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            report("%s: cannot write the disk: %s", d->path,
                   w < 0 ? strerror(errno) : "no progress");
            return -1;
        }
        b += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return 0;
}

/* Bytes [from, to) of src (SRC in messages) to the disk at AT + from -
 * base. */
static int disk_copy_range(struct disk_out *d, int src, const char *name,
                           uint64_t from, uint64_t to, uint64_t at)
{
    while (from < to) {
        size_t want = to - from < COPY_BUF ? (size_t)(to - from) : COPY_BUF;
        ssize_t r = pread(src, d->buf, want, (off_t)from);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            report("%s: %s", name,
                   r < 0 ? strerror(errno)
                         : "changed size while the image "
                           "was written; try again");
            return -1;
        }
        if (disk_pwrite(d, d->buf, (size_t)r, at) != 0)
            return -1;
        from += (uint64_t)r;
        at += (uint64_t)r;
    }
    return 0;
}

/* SIZE bytes from OFF of src to the disk at AT, data regions only. */
static int disk_copy(struct disk_out *d, int src, const char *name,
                     uint64_t off, uint64_t size, uint64_t at)
{
    uint64_t pos = off, end = off + size;

    while (pos < end) {
        off_t data = lseek(src, (off_t)pos, SEEK_DATA), hole;
        if (data < 0 && errno == ENXIO)
            return 0; /* a hole to the end */
        if (data < 0) /* no SEEK_DATA here: copy it all */
            return disk_copy_range(d, src, name, pos, end, at + pos - off);
        if ((uint64_t)data >= end)
            return 0;
        hole = lseek(src, data, SEEK_HOLE);
        if (hole < 0 || (uint64_t)hole > end)
            hole = (off_t)end;
        if (disk_copy_range(d, src, name, (uint64_t)data, (uint64_t)hole,
                            at + (uint64_t)data - off) != 0)
            return -1;
        pos = (uint64_t)hole;
    }
    return 0;
}

/* One file's data at AT in the disk. */
static int disk_file(struct disk_out *d, const struct pack_file *f, uint64_t at)
{
    struct stat st;
    int fd, err;

    if (f->host == NULL)
        return disk_pwrite(d, f->data, (size_t)f->size, at);
    fd = open(f->host, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report("%s: %s", f->host, strerror(errno));
        return -1;
    }
    if (!f->from_disk &&
        (fstat(fd, &st) != 0 || (uint64_t)st.st_size != f->size)) {
        report("%s: changed size while the image was written (packed as "
               "%llu bytes); try again",
               f->host, (unsigned long long)f->size);
        err = -1;
    } else {
        err = disk_copy(d, fd, f->host, f->host_off, f->size, at);
    }
    close(fd);
    return err;
}

uint64_t image_disk_size(const struct image_input *in)
{
    struct image_layout l;
    uint64_t size;

    if (image_plan(in, &l) != 0)
        return 0;
    size = l.disk_size;
    image_plan_free(&l);
    return size;
}

static int disk_files(struct disk_out *d, const struct image_input *in,
                      const struct image_layout *l, int sigfd)
{
    for (size_t i = 0; i < l->nfiles; i++) {
        const struct pack_file *f = &in->files->v[i];
        int sig = sigfd >= 0 ? signals_take(sigfd) : 0;
        if (sig != 0)
            return sig;
        if (image_on_disk(f) && disk_file(d, f, l->data_off[i]) != 0)
            return -1;
    }
    return 0;
}

int image_write_disk_at(int fd, const char *path, const struct image_input *in,
                        uint64_t base, int sigfd)
{
    struct image_layout l;
    struct disk_out d = {.fd = fd, .path = path, .base = base};
    int err = 0;

    if (image_plan(in, &l) != 0 || (d.buf = malloc(COPY_BUF)) == NULL) {
        image_plan_free(&l);
        report("out of memory");
        return -1;
    }
    if (base == 0)
        err = ftruncate(fd, (off_t)l.disk_size);
    if (err != 0)
        report("%s: cannot write the disk: %s", path, strerror(errno));
    else
        err = disk_files(&d, in, &l, sigfd);
    image_plan_free(&l);
    free(d.buf);
    return err;
}

int image_write_disk(int fd, const char *path, const struct image_input *in,
                     int sigfd)
{
    return image_write_disk_at(fd, path, in, 0, sigfd);
}
