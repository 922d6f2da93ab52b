/*
 * tool/shares.h — `-v HOSTDIR:GUESTPATH[:ro]`: host directories shared
 * live with the guest over virtio-9p (docs/FILESYSTEM.md, "Mounts").
 * Share i (the i-th -v) is QEMU's fsdev "share<i>", seen by the guest as
 * the 9p mount tag "gorump<i>", and mounted by the kernel from the
 * command-line word gorump.share=gorump<i>:GUESTPATH[:ro].
 *
 * `-v FILE:GUESTPATH[:ro]`, FILE a regular file: an ext2 volume
 * (docs/STORAGE.md, "Volumes").  The k-th volume is QEMU's drive
 * "vol<k>", a virtio-blk disk whose id (serial) is gorump-vol<k>, mounted
 * by the kernel from gorump.volume=gorump-vol<k>:GUESTPATH[:ro].
 */
#ifndef GORUMP_TOOL_SHARES_H
#define GORUMP_TOOL_SHARES_H

#include <stddef.h>

#include <gorump/image.h>

#include "args.h"

#define SHARES_VOLUME_ID "gorump-vol" /* then the volume's slot */

/* Checks each -v's host side, making its path absolute: a directory that
 * exists, or a volume file, which is locked, checked and repaired with
 * e2fsck -p (volume_attach).  0, or -1 (reported). */
int shares_check(struct run_args *a);

/* For gorump build: each typed -v's host path made absolute and resolved
 * (realpath), a directory or a regular file that exists; nothing locked or
 * checked yet (run does that).  0, or -1 (reported). */
int shares_resolve(struct run_args *a);

/*
 * An image's recorded -v values (its VOLUMES section) merged with the
 * typed ones into a->share: the recorded ones in their order, each
 * replaced by the -v typed for the same guest path if there is one, then
 * the other typed ones in order; at most RUN_SHARE_MAX in all.  A recorded
 * guest path a -v could not have is refused.  0, or -1 (reported; a is
 * unchanged).
 */
int shares_merge(struct run_args *a, const struct gorump_image *img);

/* Appends the kernel's gorump.share= words for a's shares to cmdline
 * (size bytes, NUL-terminated): 0, or -1 when they do not fit. */
int shares_cmdline(const struct run_args *a, char *cmdline, size_t size);

#endif
