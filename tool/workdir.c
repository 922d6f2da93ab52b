/*
 * tool/workdir.c — creating and deleting the temporary directory (see
 * workdir.h).  Everything the tool writes goes there, so cleaning up is
 * one call whichever way a run ends.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "workdir.h"

/* `go build` runs in the package directory: a relative $TMPDIR would
 * point elsewhere from there. */
static int workdir_absolute(struct workdir *w)
{
    char abs[PATH_MAX];

    if (w->path[0] == '/')
        return 0;
    if (realpath(w->path, abs) == NULL ||
        (size_t)snprintf(w->path, sizeof(w->path), "%s", abs) >=
            sizeof(w->path)) {
        report("%s: cannot find its absolute path", w->path);
        rmdir(w->path);
        w->path[0] = '\0';
        return -1;
    }
    return 0;
}

int workdir_create(struct workdir *w)
{
    const char *tmp = getenv("TMPDIR");

    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if ((size_t)snprintf(w->path, sizeof(w->path), "%s/gorump.XXXXXX", tmp) >=
        sizeof(w->path)) {
        report("%s: temporary directory path too long", tmp);
        w->path[0] = '\0';
        return -1;
    }
    if (mkdtemp(w->path) == NULL) {
        report("%s: cannot create a temporary directory: %s", tmp,
               strerror(errno));
        w->path[0] = '\0';
        return -1;
    }
    return workdir_absolute(w);
}

int workdir_file(const struct workdir *w, const char *name, char *out,
                 size_t size)
{
    if ((size_t)snprintf(out, size, "%s/%s", w->path, name) >= size)
        return -1;
    return 0;
}

/* The directory holds only files we made (go build's output is a file). */
void workdir_remove(struct workdir *w)
{
    DIR *d;
    struct dirent *e;

    if (w->path[0] == '\0')
        return;
    d = opendir(w->path);
    if (d != NULL) {
        int fd = dirfd(d);
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                unlinkat(fd, e->d_name, 0);
        }
        closedir(d);
    }
    if (rmdir(w->path) != 0 && errno != ENOENT)
        report("%s: cannot remove: %s", w->path, strerror(errno));
    w->path[0] = '\0';
}
