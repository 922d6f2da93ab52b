/*
 * tool/util.h — small helpers every part of the tool uses: messages in the
 * house format ("gorump: PATH: what failed"), whole writes and reads.
 */
#ifndef GORUMP_TOOL_UTIL_H
#define GORUMP_TOOL_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Prints "gorump: " and the formatted message and a newline on stderr. */
void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes all n bytes, retrying short writes and EINTR.  0, or -1 with
 * errno set. */
int write_all(int fd, const void *buf, size_t n);

/* Reads the regular file PATH whole into a malloc'd buffer.  Returns 0, or
 * a negative errno (-EISDIR, -EINVAL when not a regular file). */
int read_file(const char *path, uint8_t **buf, size_t *len);
/* Maps the regular file PATH whole, read-only, its pages read in at once
 * (a 100 MB program costs no copy; unmap_file undoes it).  The mapping
 * follows the file: it must not shrink meanwhile.  Errors as read_file. */
int map_file(const char *path, uint8_t **buf, size_t *len);
void unmap_file(uint8_t *buf, size_t len);

#endif
