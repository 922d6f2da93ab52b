/*
 * tool/image_plan.h — where each part of an image goes.  Internal to
 * image_plan.c and image_write.c.
 */
#ifndef GORUMP_TOOL_IMAGE_PLAN_H
#define GORUMP_TOOL_IMAGE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "image_write.h"

struct pack_file;

#define IMAGE_HDR_SIZE 32u
#define IMAGE_SEC_SIZE 24u
#define IMAGE_REC_SIZE 48u
#define IMAGE_TIMES_SIZE 16u
#define IMAGE_PAGE 4096u
/* Regular files of this size or more go to the image's disk. */
#define IMAGE_DISK_MIN (16u << 20)
/* The largest regular file an image may hold: the kernel keeps a file's
 * page table in one allocation of at most 4 MiB less its 16-byte header
 * (kernel/mm/kheap.c), 8 bytes a page: 2 GiB less 8 KiB. */
#define IMAGE_FILE_MAX ((((4ull << 20) - 16) / 8) * 4096)

struct image_layout {
    uint32_t nsec;
    uint64_t args_off, args_size;
    uint64_t env_off, env_size;
    uint64_t cwd_off, cwd_size;
    uint64_t exe_off, exe_size;
    uint64_t files_off, files_size;
    uint64_t times_off, times_size; /* FILETIMES, when there are files */
    uint64_t disk_sec_off;          /* DISK, when disk_size is not 0 */
    uint64_t disk_sec_size;         /* its bytes: 16, or 32 with a GUID */
    uint64_t vol_off, vol_size;     /* VOLUMES, when vol_size is not 0 */
    uint64_t prog_off, prog_size;   /* prog_size 0: the program is a file */
    uint64_t *data_off; /* per packed file, where its bytes go (0: none) */
    size_t nfiles;
    uint64_t total;
    uint64_t disk_size; /* bytes of the disk (0: no disk) */
};

/* Lays IN out into *l.  0, or -1 when out of memory (nothing printed). */
int image_plan(const struct image_input *in, struct image_layout *l);
void image_plan_free(struct image_layout *l);

/* A FILES record's size for a path of LEN bytes: header, path, padding. */
uint64_t image_record_size(size_t len);

/* Whether a packed file of SIZE bytes is placed at a page boundary. */
int image_big(uint64_t size);

/* Whether packed file F's data goes to the disk (its data_off is then
 * an offset in the disk). */
int image_on_disk(const struct pack_file *f);

uint64_t image_align(uint64_t n, uint64_t a);

#endif
