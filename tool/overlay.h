/*
 * tool/overlay.h — the command line's overrides on what an image stores
 * (gorump run|build IMAGE ...): argv and environment merged with the
 * stored ones.  Pure: new arrays of pointers, the strings are not copied.
 */
#ifndef GORUMP_TOOL_OVERLAY_H
#define GORUMP_TOOL_OVERLAY_H

#include <stdint.h>

/* A list of strings: v[0..n), v itself malloc'd (free() it). */
struct strv {
    char **v;
    int n;
};

/* The NUL-terminated strings back to back in s[0..size) (as in ARGS and
 * ENV; size 0 for none).  0, or -1 when out of memory. */
int strv_split(const char *s, uint64_t size, struct strv *out);

/* argv: the stored argv[0] (or PROGRAM when the image has none) followed
 * by the NEW arguments, or the stored argv whole when there are none.
 * 0, or -1 when out of memory. */
int overlay_args(const struct strv *stored, const char *program,
                 char *const *args, int nargs, struct strv *out);

/* envp: each stored KEY=VALUE, replaced in place by the last SET entry
 * with the same KEY; then, in order, the SET entries whose KEY the image
 * did not have.  0, or -1 when out of memory. */
/* The environment a program starts from, like a container's: PATH,
 * HOME=/root and HOSTNAME, the guest's host name (uname's nodename,
 * kernel/sys/sys_misc.c).  No TERM: the program's output goes through a
 * serial port whether or not ours is a terminal (-e TERM passes ours). */
extern const struct strv overlay_default_env;

int overlay_env(const struct strv *stored, char *const *set, int nset,
                struct strv *out);

#endif
