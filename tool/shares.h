/*
 * tool/shares.h — `-v HOSTDIR:GUESTPATH[:ro]`: host directories shared
 * live with the guest over virtio-9p (docs/FILESYSTEM.md, "Mounts").
 * Share i is QEMU's fsdev "share<i>", seen by the guest as the 9p mount
 * tag "gorump<i>", and mounted by the kernel from the command-line word
 * gorump.share=gorump<i>:GUESTPATH[:ro].
 */
#ifndef GORUMP_TOOL_SHARES_H
#define GORUMP_TOOL_SHARES_H

#include <stddef.h>

#include "args.h"

/* Checks each share's host side, making its path absolute: a directory
 * that exists.  0, or -1 (reported; a regular file is an ext2 volume,
 * which is not supported yet). */
int shares_check(struct run_args *a);

/* Appends the kernel's gorump.share= words for a's shares to cmdline
 * (size bytes, NUL-terminated): 0, or -1 when they do not fit. */
int shares_cmdline(const struct run_args *a, char *cmdline, size_t size);

#endif
