/*
 * tool/image_write.h — making a gorump image (include/gorump/image.h) from
 * a program, its arguments, environment, working directory, guest path
 * and packed files.  The layout is computed first (image_plan.c), then
 * the bytes are streamed out in order with the CRC-32C computed on the
 * way, so a file tree of any size passes through a fixed 1 MiB buffer.
 */
#ifndef GORUMP_TOOL_IMAGE_WRITE_H
#define GORUMP_TOOL_IMAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

struct pack_list;
struct run_share;

struct image_input {
    const uint8_t *program; /* the ELF file's bytes */
    size_t program_size;
    int nargs; /* argv, argv[0] included */
    char *const *args;
    int nenv; /* "KEY=VALUE" strings; none: no ENV section */
    char *const *env;
    const char *cwd;      /* non-empty path, or NULL for no CWD section */
    const char *exe_path; /* absolute path, or NULL for no EXEPATH */
    const struct pack_list *files; /* NULL or empty: no FILES section */
    /* The program is the last record at exe_path, a file on the disk: the
     * PROGRAM section is empty (docs/IMAGE.md); program still points at
     * its bytes for the callers that read them. */
    int program_in_files;
    /* gorump build -v: the VOLUMES section's entries (the image is then
     * version 3); none: no section. */
    int nvolumes;
    const struct run_share *volumes;
    /* A bootable disk: the unique GUID (16 bytes, as the GPT stores it)
     * of the partition that holds the disk (docs/IMAGE.md, "On a bootable
     * disk"); NULL: the disk is a file beside the image. */
    const uint8_t *disk_part;
};

/*
 * Builds the image in a malloc'd buffer (*out, *len; free() it); for
 * tests and small images.  Returns 0, or -1 (reported: out of memory, or
 * a packed host file that cannot be read or changed size).
 */
int image_build(const struct image_input *in, uint8_t **out, size_t *len);

/*
 * Streams the image into FD (at its current position, which must be 0;
 * PATH names it in messages).  SIGFD, unless -1, is checked between files.
 * Returns 0, -1 (reported), or the number of a stopping signal that
 * arrived (the image is then incomplete).
 */
int image_write_fd(int fd, const char *path, const struct image_input *in,
                   int sigfd);

/* The bytes of IN's disk (its regular files of IMAGE_DISK_MIN bytes or
 * more, docs/IMAGE.md), 0 when it needs none. */
uint64_t image_disk_size(const struct image_input *in);

/* Writes the disk into FD (empty; PATH names it in messages), sparse
 * where the sources are.  Same results as image_write_fd. */
int image_write_disk(int fd, const char *path, const struct image_input *in,
                     int sigfd);
/* The same at byte base of FD, a file already base + the disk's size
 * long or more, which is left as it is around the disk (the partition of
 * a bootable disk, bootdisk.c). */
int image_write_disk_at(int fd, const char *path, const struct image_input *in,
                        uint64_t base, int sigfd);

/* image_write_fd into a new file PATH (mode 0600; it must not exist),
 * and the disk, when IN needs one, into PATH.disk likewise; both are
 * removed again if writing fails.  Same results. */
int image_write_file(const char *path, const struct image_input *in, int sigfd);

/* The image alone into a new file PATH, like image_write_file, when its
 * disk is written elsewhere (diskcache.h). */
int image_write_image(const char *path, const struct image_input *in,
                      int sigfd);

/* Bytes image_build or image_write_fd would write, or 0 when out of
 * memory. */
uint64_t image_size(const struct image_input *in);

#endif
