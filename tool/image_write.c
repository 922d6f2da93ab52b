/*
 * tool/image_write.c — writing gorump images (see image_write.h) in the
 * order of image_plan.c's layout.  Everything goes through a sink that
 * computes the CRC-32C of each byte as it passes, with the checksum field
 * still zero; the checksum is stored last (pwrite at offset 28).  Packed
 * host files are read only now, each checked against the size recorded
 * when it was packed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "args.h"
#include "image_plan.h"
#include "image_write.h"
#include "pack.h"
#include "proc.h"
#include "util.h"

#define SINK_BUF (1u << 20)

/* Where the bytes go: a buffer flushed to fd, or straight into mem. */
struct sink {
    int fd;       /* -1: into mem, which holds the whole image */
    uint8_t *mem; /* the image, or the write buffer */
    size_t used;  /* bytes waiting in the write buffer */
    uint64_t off; /* bytes emitted so far */
    uint32_t crc; /* of those bytes */
    const char *path;
    int sigfd;
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static int sink_flush(struct sink *s)
{
    if (s->fd < 0 || s->used == 0)
        return 0;
    if (write_all(s->fd, s->mem, s->used) != 0) {
        report("%s: cannot write the image: %s", s->path, strerror(errno));
        return -1;
    }
    s->used = 0;
    return 0;
}

/* Where the next bytes go, and how many fit there at once. */
static uint8_t *sink_room(const struct sink *s, size_t *n)
{
    if (s->fd < 0) {
        *n = SIZE_MAX;
        return s->mem + s->off;
    }
    *n = SINK_BUF - s->used;
    return s->mem + s->used;
}

/* The n bytes just placed at sink_room() are part of the image. */
static int sink_commit(struct sink *s, size_t n)
{
    uint8_t *p = s->fd < 0 ? s->mem + s->off : s->mem + s->used;

    s->crc = gorump_crc32c(s->crc, p, n);
    s->off += n;
    if (s->fd < 0)
        return 0;
    s->used += n;
    return s->used == SINK_BUF ? sink_flush(s) : 0;
}

static int sink_put(struct sink *s, const void *src, uint64_t n)
{
    const uint8_t *p = src;
    size_t room, k;

    /* A large block (the program) goes to the file as it is: copying it
     * through the buffer would cost as much again as writing it. */
    if (s->fd >= 0 && n >= SINK_BUF) {
        if (sink_flush(s) != 0)
            return -1;
        s->crc = gorump_crc32c(s->crc, p, n);
        s->off += n;
        if (write_all(s->fd, p, n) == 0)
            return 0;
        report("%s: cannot write the image: %s", s->path, strerror(errno));
        return -1;
    }
    while (n > 0) {
        uint8_t *dst = sink_room(s, &room);
        k = n < room ? (size_t)n : room;
        memcpy(dst, p, k);
        if (sink_commit(s, k) != 0)
            return -1;
        p += k;
        n -= k;
    }
    return 0;
}

/* Zeros up to offset TO. */
static int sink_pad(struct sink *s, uint64_t to)
{
    size_t room, k;

    while (s->off < to) {
        uint8_t *dst = sink_room(s, &room);
        k = to - s->off < room ? (size_t)(to - s->off) : room;
        memset(dst, 0, k);
        if (sink_commit(s, k) != 0)
            return -1;
    }
    return 0;
}

static int sink_changed(const char *host, uint64_t size)
{
    report("%s: changed size while the image was written (packed as %llu "
           "bytes); try again",
           host, (unsigned long long)size);
    return -1;
}

/* SIZE bytes of HOST's contents from fd, and proof there are no more. */
static int sink_copy(struct sink *s, int fd, const char *host, uint64_t size)
{
    uint8_t extra;
    ssize_t r;
    size_t room;

    while (size > 0) {
        uint8_t *dst = sink_room(s, &room);
        r = read(fd, dst, size < room ? (size_t)size : room);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            report("%s: %s", host, strerror(errno));
            return -1;
        }
        if (r == 0)
            return sink_changed(host, size);
        if (sink_commit(s, (size_t)r) != 0)
            return -1;
        size -= (uint64_t)r;
    }
    while ((r = read(fd, &extra, 1)) < 0 && errno == EINTR)
        ;
    return r != 0 ? sink_changed(host, size) : 0;
}

/* SIZE bytes at f->host_off of an image's disk. */
static int sink_pread(struct sink *s, int fd, const struct pack_file *f)
{
    uint64_t done = 0;
    size_t room;

    while (done < f->size) {
        uint8_t *dst = sink_room(s, &room);
        uint64_t want = f->size - done < room ? f->size - done : room;
        ssize_t r = pread(fd, dst, (size_t)want, (off_t)(f->host_off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            report("%s: %s", f->host, r < 0 ? strerror(errno) : "too short");
            return -1;
        }
        if (sink_commit(s, (size_t)r) != 0)
            return -1;
        done += (uint64_t)r;
    }
    return 0;
}

/* A packed file's data: from its host file, or from memory. */
static int sink_file(struct sink *s, const struct pack_file *f)
{
    struct stat st;
    int fd, err;

    if (f->host == NULL)
        return sink_put(s, f->data, f->size);
    fd = open(f->host, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report("%s: %s", f->host, strerror(errno));
        return -1;
    }
    if (f->from_disk)
        err = sink_pread(s, fd, f);
    else if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != f->size)
        err = sink_changed(f->host, f->size);
    else
        err = sink_copy(s, fd, f->host, f->size);
    close(fd);
    return err;
}

static void write_section(uint8_t *e, uint32_t type, uint64_t off,
                          uint64_t size)
{
    put32(e, type);
    put32(e + 4, 0);
    put64(e + 8, off);
    put64(e + 16, size);
}

/* Header and section table, checksum zero. */
static int write_head(struct sink *s, const struct image_input *in,
                      const struct image_layout *l)
{
    uint8_t h[IMAGE_HDR_SIZE + 9 * IMAGE_SEC_SIZE] = {0}, *e;

    memcpy(h, GORUMP_IMAGE_MAGIC, 8);
    put32(h + 8, l->vol_size    ? GORUMP_IMAGE_VERSION_VOLUMES
                 : l->disk_size ? GORUMP_IMAGE_VERSION_DISK
                                : GORUMP_IMAGE_VERSION);
    put32(h + 12, IMAGE_HDR_SIZE);
    put64(h + 16, l->total);
    put32(h + 24, l->nsec);
    e = h + IMAGE_HDR_SIZE;
    write_section(e, GORUMP_SECTION_PROGRAM, l->prog_off, l->prog_size);
    write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_ARGS, l->args_off,
                  l->args_size);
    if (in->nenv > 0)
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_ENV, l->env_off,
                      l->env_size);
    if (in->cwd != NULL)
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_CWD, l->cwd_off,
                      l->cwd_size);
    if (in->exe_path != NULL)
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_EXEPATH, l->exe_off,
                      l->exe_size);
    if (l->nfiles > 0) {
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_FILES, l->files_off,
                      l->files_size);
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_FILETIMES,
                      l->times_off, l->times_size);
    }
    if (l->disk_size > 0)
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_DISK, l->disk_sec_off,
                      l->disk_sec_size);
    if (l->vol_size > 0)
        write_section(e += IMAGE_SEC_SIZE, GORUMP_SECTION_VOLUMES, l->vol_off,
                      l->vol_size);
    return sink_put(s, h, IMAGE_HDR_SIZE + l->nsec * IMAGE_SEC_SIZE);
}

static int write_strings(struct sink *s, uint64_t at, int n, char *const *v)
{
    int err = sink_pad(s, at);

    for (int i = 0; i < n && err == 0; i++)
        err = sink_put(s, v[i], strlen(v[i]) + 1);
    return err;
}

static int write_record(struct sink *s, const struct pack_file *f,
                        uint64_t data_off)
{
    uint8_t r[IMAGE_REC_SIZE] = {0};
    size_t len = strlen(f->path);

    put32(r, (uint32_t)image_record_size(len));
    put32(r + 4, f->mode);
    put64(r + 8, data_off);
    put64(r + 16, f->size);
    put64(r + 24, (uint64_t)f->mtime_sec);
    put32(r + 32, f->mtime_nsec);
    put32(r + 36, f->uid);
    put32(r + 40, f->gid);
    r[44] = (uint8_t)len;
    r[45] = (uint8_t)(len >> 8);
    r[46] = image_on_disk(f) ? GORUMP_FILE_ON_DISK : 0;
    if (sink_put(s, r, sizeof(r)) != 0 || sink_put(s, f->path, len) != 0)
        return -1;
    return sink_pad(s, image_align(s->off, 8));
}

/* A record's FILETIMES entry (struct gorump_file_times). */
static int write_times(struct sink *s, const struct pack_file *f)
{
    uint8_t t[IMAGE_TIMES_SIZE] = {0};

    put64(t, (uint64_t)f->atime_sec);
    put32(t + 8, f->atime_nsec);
    return sink_put(s, t, sizeof(t));
}

/* Everything before the packed files' data. */
static int write_meta(struct sink *s, const struct image_input *in,
                      const struct image_layout *l)
{
    char *cwd[] = {(char *)in->cwd}, *exe[] = {(char *)in->exe_path};
    int err = write_head(s, in, l);

    if (err == 0)
        err = write_strings(s, l->args_off, in->nargs, in->args);
    if (err == 0)
        err = write_strings(s, l->env_off, in->nenv, in->env);
    if (err == 0)
        err = write_strings(s, l->cwd_off, in->cwd != NULL, cwd);
    if (err == 0)
        err = write_strings(s, l->exe_off, in->exe_path != NULL, exe);
    if (err == 0)
        err = sink_pad(s, l->files_off);
    for (size_t i = 0; i < l->nfiles && err == 0; i++)
        err = write_record(s, &in->files->v[i], l->data_off[i]);
    for (size_t i = 0; i < l->nfiles && err == 0; i++)
        err = write_times(s, &in->files->v[i]);
    if (err == 0 && l->disk_size > 0) {
        uint8_t d[GORUMP_DISK_PART_SEC_SIZE] = {0};
        put64(d, l->disk_size);
        if (in->disk_part != NULL)
            memcpy(d + 16, in->disk_part, 16);
        err = sink_put(s, d, l->disk_sec_size);
    }
    for (int i = 0; i < in->nvolumes && err == 0; i++) {
        char *v[] = {in->volumes[i].ro ? "ro" : "rw", in->volumes[i].host,
                     in->volumes[i].guest};
        err = write_strings(s, s->off, 3, v);
    }
    if (err == 0)
        err = sink_pad(s, l->prog_off);
    if (err == 0)
        err = sink_put(s, in->program, l->prog_size);
    return err;
}

/* The packed files' data in offset order (small files first).  0, -1, or
 * a stopping signal's number. */
static int write_data(struct sink *s, const struct image_input *in,
                      const struct image_layout *l)
{
    for (int big = 0; big <= 1; big++) {
        for (size_t i = 0; i < l->nfiles; i++) {
            const struct pack_file *f = &in->files->v[i];
            int sig;
            if (f->size == 0 || image_big(f->size) != big || image_on_disk(f))
                continue;
            sig = s->sigfd >= 0 ? signals_take(s->sigfd) : 0;
            if (sig != 0)
                return sig;
            if (sink_pad(s, l->data_off[i]) != 0 || sink_file(s, f) != 0)
                return -1;
        }
    }
    return 0;
}

/* The whole image into S; 0, -1 or a signal number. */
static int image_emit(struct sink *s, const struct image_input *in,
                      const struct image_layout *l)
{
    int err = write_meta(s, in, l);

    if (err == 0)
        err = write_data(s, in, l);
    if (err == 0 && s->off != l->total) {
        report("%s: internal error: wrote %llu bytes of %llu", s->path,
               (unsigned long long)s->off, (unsigned long long)l->total);
        err = -1;
    }
    return err != 0 ? err : sink_flush(s);
}

uint64_t image_size(const struct image_input *in)
{
    struct image_layout l;
    uint64_t total;

    if (image_plan(in, &l) != 0)
        return 0;
    total = l.total;
    image_plan_free(&l);
    return total;
}

int image_build(const struct image_input *in, uint8_t **out, size_t *len)
{
    struct image_layout l;
    struct sink s = {.fd = -1, .path = "(memory)", .sigfd = -1};
    int err;

    if (image_plan(in, &l) != 0 || (s.mem = malloc(l.total)) == NULL) {
        image_plan_free(&l);
        report("out of memory");
        return -1;
    }
    err = image_emit(&s, in, &l);
    image_plan_free(&l);
    if (err != 0) {
        free(s.mem);
        return -1;
    }
    put32(s.mem + 28, s.crc);
    *out = s.mem;
    *len = (size_t)s.off;
    return 0;
}

int image_write_fd(int fd, const char *path, const struct image_input *in,
                   int sigfd)
{
    struct image_layout l;
    struct sink s = {.fd = fd, .path = path, .sigfd = sigfd};
    uint8_t crc[4];
    int err;

    if (image_plan(in, &l) != 0 || (s.mem = malloc(SINK_BUF)) == NULL) {
        image_plan_free(&l);
        report("out of memory");
        return -1;
    }
    err = image_emit(&s, in, &l);
    image_plan_free(&l);
    free(s.mem);
    put32(crc, s.crc);
    if (err == 0 && pwrite(fd, crc, 4, 28) != 4) {
        report("%s: cannot write the image: %s", path, strerror(errno));
        err = -1;
    }
    return err;
}

/* Creates PATH (mode 0600; it must not exist) and writes it with FN,
 * removing it again if that fails. */
static int write_new(const char *path, const char *what,
                     int (*fn)(int, const char *, const struct image_input *,
                               int),
                     const struct image_input *in, int sigfd)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int err;

    if (fd < 0) {
        report("%s: cannot create the %s: %s", path, what, strerror(errno));
        return -1;
    }
    err = fn(fd, path, in, sigfd);
    if (close(fd) != 0 && err == 0) {
        report("%s: cannot write the %s: %s", path, what, strerror(errno));
        err = -1;
    }
    if (err != 0)
        unlink(path);
    return err;
}

int image_write_image(const char *path, const struct image_input *in, int sigfd)
{
    return write_new(path, "image", image_write_fd, in, sigfd);
}

int image_write_file(const char *path, const struct image_input *in, int sigfd)
{
    char disk[4096];
    int err;

    if (image_disk_size(in) == 0)
        return write_new(path, "image", image_write_fd, in, sigfd);
    if ((size_t)snprintf(disk, sizeof(disk), "%s.disk", path) >= sizeof(disk)) {
        report("%s: path too long", path);
        return -1;
    }
    err = write_new(disk, "disk", image_write_disk, in, sigfd);
    if (err != 0)
        return err;
    err = write_new(path, "image", image_write_fd, in, sigfd);
    if (err != 0)
        unlink(disk);
    return err;
}
