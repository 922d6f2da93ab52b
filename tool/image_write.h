/*
 * tool/image_write.h — making a gorump image (include/gorump/image.h) from
 * a program, its arguments, environment and working directory.
 */
#ifndef GORUMP_TOOL_IMAGE_WRITE_H
#define GORUMP_TOOL_IMAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

struct image_input {
    const uint8_t *program; /* the ELF file's bytes */
    size_t program_size;
    int nargs; /* argv, argv[0] included */
    char *const *args;
    int nenv; /* "KEY=VALUE" strings; none: no ENV section */
    char *const *env;
    const char *cwd; /* non-empty path, or NULL for no CWD section */
};

/*
 * Builds the image in a malloc'd buffer (*out, *len; free() it).  The
 * strings come first and the program last, at a 4096-byte boundary, so a
 * kernel that finds the image page-aligned in memory can map the program's
 * pages where they are.  Returns 0, or -1 when out of memory.
 */
int image_build(const struct image_input *in, uint8_t **out, size_t *len);

/* Builds the image and writes it to a new file PATH (mode 0600, must not
 * exist).  Returns 0 or a negative errno. */
int image_write_file(const char *path, const struct image_input *in);

#endif
