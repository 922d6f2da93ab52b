/*
 * tool/image_read.c — recognising and mapping existing images (see
 * image_read.h).  The file is mapped rather than read: rewriting a large
 * image then copies its bytes once, from the page cache to the new file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_read.h"
#include "util.h"

int image_sniff(const char *path)
{
    char magic[8];
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), is = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic))
        is = memcmp(magic, GORUMP_IMAGE_MAGIC, sizeof(magic)) == 0;
    close(fd);
    return is;
}

/* The program's bytes in IMAGE's disk, which must be the image's. */
static int map_disk_program(const char *image, struct image_map *m)
{
    char disk[4096];
    uint64_t off = m->img.program_disk_offset;
    uint64_t size = m->img.program_disk_size;
    int fd;

    image_disk_path(image, disk, sizeof(disk));
    if (image_disk_check(disk, m->img.disk_size) != 0)
        return -1;
    fd = open(disk, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report("%s: %s", disk, strerror(errno));
        return -1;
    }
    /* The offset is page-aligned: the checker saw GORUMP_DISK_ALIGN. */
    m->disk_map =
        mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, (off_t)off);
    close(fd);
    if (m->disk_map == MAP_FAILED) {
        report("%s: cannot map the program: %s", disk, strerror(errno));
        m->disk_map = NULL;
        return -1;
    }
    m->disk_map_len = (size_t)size;
    m->program = m->disk_map;
    m->program_size = size;
    return 0;
}

int image_map(const char *path, struct image_map *m)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC), err;

    memset(m, 0, sizeof(*m));
    if (fd < 0 || fstat(fd, &st) != 0) {
        report("%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    m->len = (size_t)st.st_size;
    m->base = mmap(NULL, m->len ? m->len : 1, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m->base == MAP_FAILED) {
        report("%s: cannot map the image: %s", path, strerror(errno));
        m->base = NULL;
        return -1;
    }
    err = gorump_image_parse(m->base, m->len, &m->img);
    if (err != 0) {
        report("%s: %s", path, gorump_image_strerror(err));
        image_unmap(m);
        return -1;
    }
    if (m->img.disk_part != NULL) {
        report("%s: its large files are in a partition of the bootable disk "
               "it came from (docs/IMAGE.md, \"On a bootable disk\"): boot "
               "that disk",
               path);
        image_unmap(m);
        return -1;
    }
    m->program = m->img.program;
    m->program_size = m->img.program_size;
    if (m->img.program_disk_size != 0 && map_disk_program(path, m) != 0) {
        image_unmap(m);
        return -1;
    }
    return 0;
}

void image_disk_path(const char *image, char *out, size_t size)
{
    snprintf(out, size, "%s.disk", image);
}

int image_disk_check(const char *disk, uint64_t size)
{
    struct stat st;

    if (stat(disk, &st) != 0) {
        report("%s: the image's disk of large files: %s", disk,
               strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
        report("%s: the image's disk of large files is not the one it was "
               "made with (%llu bytes, want %llu)",
               disk, (unsigned long long)st.st_size, (unsigned long long)size);
        return -1;
    }
    return 0;
}

void image_unmap(struct image_map *m)
{
    if (m->base != NULL)
        munmap(m->base, m->len ? m->len : 1);
    if (m->disk_map != NULL)
        munmap(m->disk_map, m->disk_map_len);
    m->base = NULL;
    m->disk_map = NULL;
    m->program = NULL;
    m->program_size = 0;
}
