/*
 * tool/image_plan.c — the layout of the images gorump writes (see
 * docs/IMAGE.md): header, section table, then ARGS, ENV, CWD, EXEPATH,
 * the FILES records and their FILETIMES entries, each 8-byte aligned; PROGRAM
 * at the next 4096-byte boundary; then the packed files' data: contents under
 * 4096 bytes and link targets back to back (8-byte aligned), then each larger
 * file at a 4096-byte boundary, so a kernel can map its pages in place and
 * small files waste no page each.
 */
#include <stdlib.h>
#include <string.h>

#include <gorump/image.h>

#include "args.h"
#include "image_plan.h"
#include "pack.h"

uint64_t image_align(uint64_t n, uint64_t a)
{
    return (n + a - 1) & ~(a - 1);
}

uint64_t image_record_size(size_t len)
{
    return image_align(IMAGE_REC_SIZE + len, 8);
}

int image_big(uint64_t size)
{
    return size >= IMAGE_PAGE;
}

int image_on_disk(const struct pack_file *f)
{
    return (f->mode & GORUMP_S_IFMT) == GORUMP_S_IFREG &&
           (f->size >= IMAGE_DISK_MIN || f->to_disk);
}

static uint64_t strings_size(int n, char *const *s)
{
    uint64_t size = 0;

    for (int i = 0; i < n; i++)
        size += strlen(s[i]) + 1;
    return size;
}

static size_t plan_nfiles(const struct image_input *in)
{
    return in->files != NULL ? in->files->n : 0;
}

/* Offsets of the packed files' data from AT on: small ones first. */
static uint64_t plan_data(const struct image_input *in, struct image_layout *l,
                          uint64_t at)
{
    for (int big = 0; big <= 1; big++) {
        for (size_t i = 0; i < l->nfiles; i++) {
            const struct pack_file *f = &in->files->v[i];
            if (f->size == 0 || image_big(f->size) != big || image_on_disk(f))
                continue;
            l->data_off[i] = image_align(at, big ? IMAGE_PAGE : 8);
            at = l->data_off[i] + f->size;
        }
    }
    return at;
}

/* Offsets in the disk: each file page-aligned, the disk whole pages. */
static void plan_disk(const struct image_input *in, struct image_layout *l)
{
    for (size_t i = 0; i < l->nfiles; i++) {
        const struct pack_file *f = &in->files->v[i];
        if (!image_on_disk(f))
            continue;
        l->data_off[i] = l->disk_size;
        l->disk_size += image_align(f->size, GORUMP_DISK_ALIGN);
    }
}

/* VOLUMES: "rw" or "ro", host, guest, each NUL-terminated. */
static uint64_t plan_volumes(const struct image_input *in)
{
    uint64_t size = 0;

    for (int i = 0; i < in->nvolumes; i++)
        size += 3 + strlen(in->volumes[i].host) + 1 +
                strlen(in->volumes[i].guest) + 1;
    return size;
}

/* The metadata sections, each 8-byte aligned after the table. */
static uint64_t plan_meta(const struct image_input *in, struct image_layout *l)
{
    l->args_size = strings_size(in->nargs, in->args);
    l->env_size = strings_size(in->nenv, in->env);
    l->cwd_size = in->cwd != NULL ? strlen(in->cwd) + 1 : 0;
    l->exe_size = in->exe_path != NULL ? strlen(in->exe_path) + 1 : 0;
    l->files_size = 0;
    for (size_t i = 0; i < l->nfiles; i++)
        l->files_size += image_record_size(strlen(in->files->v[i].path));
    l->times_size = l->nfiles * IMAGE_TIMES_SIZE;
    l->nsec = 2 + (in->nenv > 0) + (in->cwd != NULL) + (in->exe_path != NULL) +
              2 * (l->nfiles > 0) + (l->disk_size > 0) + (in->nvolumes > 0);
    l->args_off = image_align(IMAGE_HDR_SIZE + l->nsec * IMAGE_SEC_SIZE, 8);
    l->env_off = image_align(l->args_off + l->args_size, 8);
    l->cwd_off = image_align(l->env_off + l->env_size, 8);
    l->exe_off = image_align(l->cwd_off + l->cwd_size, 8);
    l->files_off = image_align(l->exe_off + l->exe_size, 8);
    l->times_off = l->files_off + l->files_size;
    l->disk_sec_off = l->times_off + l->times_size;
    l->disk_sec_size = l->disk_size == 0       ? 0
                       : in->disk_part != NULL ? GORUMP_DISK_PART_SEC_SIZE
                                               : GORUMP_DISK_SEC_SIZE;
    l->vol_off = l->disk_sec_off + l->disk_sec_size;
    l->vol_size = plan_volumes(in);
    return l->vol_off + l->vol_size;
}

int image_plan(const struct image_input *in, struct image_layout *l)
{
    uint64_t at;

    memset(l, 0, sizeof(*l));
    l->nfiles = plan_nfiles(in);
    l->data_off = calloc(l->nfiles ? l->nfiles : 1, sizeof(*l->data_off));
    if (l->data_off == NULL)
        return -1;
    plan_disk(in, l);
    at = plan_meta(in, l);
    l->prog_size = in->program_in_files ? 0 : in->program_size;
    l->prog_off = image_align(at, l->prog_size ? IMAGE_PAGE : 8);
    l->total = plan_data(in, l, l->prog_off + l->prog_size);
    return 0;
}

void image_plan_free(struct image_layout *l)
{
    free(l->data_off);
    l->data_off = NULL;
}
