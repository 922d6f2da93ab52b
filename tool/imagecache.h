/*
 * tool/imagecache.h — the cache of images `gorump run` keeps between runs
 * (docs/IMAGE.md, "The image cache").  Writing and checksumming the image
 * was most of the tool's own work before QEMU started; a run whose image
 * would come out the same as an earlier one's boots that one instead.
 */
#ifndef GORUMP_TOOL_IMAGECACHE_H
#define GORUMP_TOOL_IMAGECACHE_H

#include <stddef.h>

#include "image_write.h"

/*
 * The image for IN (a program read from the host file PROG_HOST; IN has
 * no disk), from the cache: found there, or written there now.  Its path
 * goes to out[0..size).  Returns 0; 1 when it cannot be cached (the cache
 * is off or unusable, a packed file's bytes have no host file to name
 * them by, or an input changed within the last 2 seconds: the caller
 * writes its own image then); -1 (reported); or the number of a stopping
 * signal that arrived while it was written.
 */
int imagecache_get(const struct image_input *in, const char *prog_host,
                   char *out, size_t size, int sigfd);

#endif
