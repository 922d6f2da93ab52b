/*
 * tool/libs.h — what a dynamically linked program needs in the guest:
 * its interpreter (PT_INTERP) and every shared library its loader will
 * open, found the way glibc's ld.so (or musl's) would find them on the
 * host, and packed at the same paths with the symbolic links on the way,
 * so the guest's loader, reading the same /etc/ld.so.cache, finds them
 * again.  For glibc also the NSS modules /etc/nsswitch.conf names and
 * libresolv, which libc opens with dlopen.
 */
#ifndef GORUMP_TOOL_LIBS_H
#define GORUMP_TOOL_LIBS_H

#include <stddef.h>
#include <stdint.h>

#include "pack.h"

struct libs_opts {
    const char *root;       /* "" for the host; tests use a directory */
    const char *shown;      /* PROGRAM as typed, for messages */
    const char *exe_path;   /* the program's guest path: its $ORIGIN */
    int nlib;               /* --lib PATHs: libraries to add, or */
    const char *const *lib; /* directories to search first */
    /* Out, when not NULL: what the guest's LD_LIBRARY_PATH must start
     * with for its loader to find what the search found through --lib
     * (each --lib directory, and each --lib library's directory, in
     * order, ':'-separated; malloc'd), or NULL when there is none. */
    char **lib_path;
};

/*
 * Packs into L what the program PROG[0..size) (already checked by
 * gorump_elf_parse, with an interpreter) needs.  0, or -1 reported as
 * "PROG: needs libfoo.so.1, not found (searched ...)" and the like.
 */
int libs_pack(struct pack_list *l, const struct libs_opts *o,
              const uint8_t *prog, size_t size);

#endif
