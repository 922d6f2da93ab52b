/*
 * tool/image_write.c — building gorump images.  The layout is: header,
 * section table, ARGS, ENV, CWD (each 8-byte aligned), then PROGRAM at a
 * 4096-byte boundary.  The checksum is computed last, over the finished
 * bytes with the checksum field still zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/image.h>

#include "image_write.h"
#include "util.h"

#define HDR_SIZE sizeof(struct gorump_image_header)
#define SEC_SIZE sizeof(struct gorump_image_section)
#define PROGRAM_ALIGN 4096

struct image_layout {
    uint32_t nsec;
    size_t args_off, args_size;
    size_t env_off, env_size;
    size_t cwd_off, cwd_size;
    size_t prog_off, total;
};

static size_t align_up(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

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

/* Bytes of n NUL-terminated strings. */
static size_t strings_size(int n, char *const *s)
{
    size_t size = 0;

    for (int i = 0; i < n; i++)
        size += strlen(s[i]) + 1;
    return size;
}

static void image_plan(const struct image_input *in, struct image_layout *l)
{
    size_t at;

    l->args_size = strings_size(in->nargs, in->args);
    l->env_size = strings_size(in->nenv, in->env);
    l->cwd_size = in->cwd != NULL ? strlen(in->cwd) + 1 : 0;
    l->nsec = 2 + (in->nenv > 0) + (in->cwd != NULL);
    at = HDR_SIZE + l->nsec * SEC_SIZE;
    l->args_off = align_up(at, 8);
    l->env_off = align_up(l->args_off + l->args_size, 8);
    l->cwd_off = align_up(l->env_off + l->env_size, 8);
    l->prog_off = align_up(l->cwd_off + l->cwd_size, PROGRAM_ALIGN);
    l->total = l->prog_off + in->program_size;
}

static void put_section(uint8_t *img, uint32_t *i, uint32_t type, size_t off,
                        size_t size)
{
    uint8_t *e = img + HDR_SIZE + (size_t)(*i)++ * SEC_SIZE;

    put32(e, type);
    put32(e + 4, 0);
    put64(e + 8, off);
    put64(e + 16, size);
}

static void put_strings(uint8_t *p, int n, char *const *s)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(s[i]) + 1;
        memcpy(p, s[i], len);
        p += len;
    }
}

static void image_fill(uint8_t *img, const struct image_input *in,
                       const struct image_layout *l)
{
    uint32_t i = 0;

    memcpy(img, GORUMP_IMAGE_MAGIC, 8);
    put32(img + 8, GORUMP_IMAGE_VERSION);
    put32(img + 12, HDR_SIZE);
    put64(img + 16, l->total);
    put32(img + 24, l->nsec);
    put_section(img, &i, GORUMP_SECTION_PROGRAM, l->prog_off, in->program_size);
    put_section(img, &i, GORUMP_SECTION_ARGS, l->args_off, l->args_size);
    if (in->nenv > 0)
        put_section(img, &i, GORUMP_SECTION_ENV, l->env_off, l->env_size);
    if (in->cwd != NULL)
        put_section(img, &i, GORUMP_SECTION_CWD, l->cwd_off, l->cwd_size);
    put_strings(img + l->args_off, in->nargs, in->args);
    put_strings(img + l->env_off, in->nenv, in->env);
    if (in->cwd != NULL)
        memcpy(img + l->cwd_off, in->cwd, l->cwd_size);
    if (in->program_size > 0)
        memcpy(img + l->prog_off, in->program, in->program_size);
    put32(img + 28, gorump_crc32c(0, img, l->total));
}

int image_build(const struct image_input *in, uint8_t **out, size_t *len)
{
    struct image_layout l;
    uint8_t *img;

    image_plan(in, &l);
    img = calloc(1, l.total);
    if (img == NULL)
        return -1;
    image_fill(img, in, &l);
    *out = img;
    *len = l.total;
    return 0;
}

int image_write_file(const char *path, const struct image_input *in)
{
    uint8_t *img;
    size_t len;
    int fd, err = 0;

    if (image_build(in, &img, &len) != 0)
        return -ENOMEM;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        err = -errno;
    if (fd >= 0 && write_all(fd, img, len) != 0)
        err = -errno;
    if (fd >= 0 && close(fd) != 0 && err == 0)
        err = -errno;
    free(img);
    return err;
}
