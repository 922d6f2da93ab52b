/*
 * tool/workdir.h — the tool's private temporary directory, which holds the
 * image (and the program `go build` makes) while a guest runs.
 */
#ifndef GORUMP_TOOL_WORKDIR_H
#define GORUMP_TOOL_WORKDIR_H

#include <stddef.h>

struct workdir {
    char path[4096]; /* empty until created */
};

/* Creates a new directory (mode 0700) in $TMPDIR, or /tmp when unset.
 * Returns 0, or -1 (reported). */
int workdir_create(struct workdir *w);

/* The path of NAME inside the directory; 0, or -1 if it does not fit. */
int workdir_file(const struct workdir *w, const char *name, char *out,
                 size_t size);

/* Deletes the directory and whatever is in it; safe to call twice. */
void workdir_remove(struct workdir *w);

#endif
