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
#include <stdint.h>

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

/* What the cache of images (imagecache.h) shares with this one. */

/* The cache's directory, made if missing, into out[0..size): 0, or 1 when
 * there is none (GORUMP_CACHE=off, or no place for it). */
int diskcache_dir(char *out, size_t size);

/* Whether the entry at PATH, of SIZE bytes, can be booted: 1 yes (and it
 * is marked used now), 0 no (absent, or not to be trusted: removed). */
int diskcache_usable(const char *path, uint64_t size);

/* A new entry written into TMP (in the cache's directory) put in place as
 * PATH when ERR is 0, else removed.  Returns ERR, or -1 (reported) when
 * the rename fails. */
int diskcache_commit(const char *tmp, const char *path, int err);

/* The least recently used entries of DIR out until the cache fits its
 * bound, KEEP (a name in DIR) and those used within a minute spared. */
void diskcache_evict(const char *dir, const char *keep);

#endif
