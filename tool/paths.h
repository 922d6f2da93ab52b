/*
 * tool/paths.h — finding the files the tool needs: the gorump kernel, and
 * commands (qemu-system-x86_64, go) in $PATH.
 */
#ifndef GORUMP_TOOL_PATHS_H
#define GORUMP_TOOL_PATHS_H

#include <stddef.h>

/*
 * The kernel to boot: OVERRIDE (--kernel) if not NULL, else
 * $GORUMP_KERNEL, else kernel.elf beside the running executable, else
 * ../lib/gorump/kernel.elf relative to its directory.  Copies the path to
 * out[0..size) and returns 0; on failure reports why and returns -1.
 */
int find_kernel(const char *override, char *out, size_t size);

/*
 * The command NAME: used as is when it contains a '/', else looked up in
 * $PATH.  Returns 0 with its absolute path in out[0..size), or -1 (nothing
 * printed) when there is no executable file by that name.
 */
int find_command(const char *name, char *out, size_t size);

/* The directory of the running executable (from /proc/self/exe), or -1. */
int exe_dir(char *out, size_t size);

#endif
