/*
 * tool/image_read.h — opening an existing gorump image, for
 * `gorump run IMAGE` and `gorump build IMAGE`: recognising one by its
 * magic, and mapping it read-only and checking it with the parser the
 * kernel uses.
 */
#ifndef GORUMP_TOOL_IMAGE_READ_H
#define GORUMP_TOOL_IMAGE_READ_H

#include <stddef.h>
#include <stdint.h>

#include <gorump/image.h>

struct image_map {
    uint8_t *base; /* the mapped file, or NULL */
    size_t len;
    struct gorump_image img; /* pointers into base */
    /* The program's bytes: img.program, or for a program on the disk
     * (img.program_disk_size) a mapping of that part of the disk. */
    const uint8_t *program;
    uint64_t program_size;
    uint8_t *disk_map; /* that mapping, or NULL */
    size_t disk_map_len;
};

/* 1 when PATH is a regular file that starts with GORUMP_IMAGE_MAGIC,
 * else 0 (errors included: whoever opens it next reports them). */
int image_sniff(const char *path);

/* Maps PATH and parses it into m->img, and maps the program (from
 * PATH.disk when it is there); 0, or -1 after reporting
 * "PATH: <gorump_image_strerror>", the disk's fault or the system error. */
int image_map(const char *path, struct image_map *m);

/* The path of IMAGE's disk (its large files' data, docs/IMAGE.md):
 * IMAGE with ".disk" appended, into out[0..size) (cut short if it does
 * not fit, then no such file is found). */
void image_disk_path(const char *image, char *out, size_t size);

/* Whether DISK is there as a regular file of exactly SIZE bytes: 0, or
 * -1 after reporting what is wrong. */
int image_disk_check(const char *disk, uint64_t size);

/* Unmaps; safe on a zeroed or already unmapped struct. */
void image_unmap(struct image_map *m);

#endif
