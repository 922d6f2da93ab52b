/*
 * tool/diskcache.h — the cache of image disks `gorump run` keeps between
 * runs (docs/IMAGE.md, "The disk cache").  A program of 16 MiB or more
 * goes on the image's disk; writing that disk anew for every run made
 * start-up grow with the program's size, so the disk is kept, named by
 * the identity of the host files it was copied from, and the next run
 * with the same files boots it as it is and writes only the small image.
 */
#ifndef GORUMP_TOOL_DISKCACHE_H
#define GORUMP_TOOL_DISKCACHE_H

#include <stddef.h>

#include "image_write.h"

/*
 * The disk IN needs (image_disk_size(IN) bytes, not 0), from the cache:
 * found there, or written there now.  Its path goes to out[0..size).
 * Returns 0; 1 when this disk cannot be cached (the cache is off or
 * unusable, or a file's bytes have no host file to name them by; the
 * caller writes its own disk then); -1 (reported); or the number of a
 * stopping signal that arrived while it was written.
 */
int diskcache_get(const struct image_input *in, char *out, size_t size,
                  int sigfd);

#endif
