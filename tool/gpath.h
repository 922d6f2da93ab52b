/*
 * tool/gpath.h — paths in the guest's file tree: making them absolute and
 * normalised the way FILES records, EXEPATH and CWD need them
 * (include/gorump/image.h), purely by text.  Symbolic links are never
 * resolved: "sub/../x" is "x" here even if sub is a link on the host.
 */
#ifndef GORUMP_TOOL_GPATH_H
#define GORUMP_TOOL_GPATH_H

#include <stddef.h>

enum {
    GPATH_OK = 0,
    GPATH_ERELATIVE = -1, /* does not start with '/' */
    GPATH_ETOOLONG = -2,  /* GORUMP_PATH_MAX bytes or more */
    GPATH_ENAME = -3,     /* a component longer than GORUMP_NAME_MAX */
    GPATH_ECWD = -4,      /* the current directory is unknown */
};

/*
 * Normalises the absolute path IN into out[0..size): no ".", no "..",
 * no empty component, no trailing '/' ("/" stays "/"; ".." at the root is
 * the root, as in POSIX).  Returns GPATH_*.
 */
int gpath_normalise(const char *in, char *out, size_t size);

/* HOST made absolute against the current directory (cwd + "/" + HOST
 * when relative), then normalised.  Returns GPATH_*. */
int gpath_absolute(const char *host, char *out, size_t size);

/* DIR + "/" + NAME for a normalised DIR ("/" + NAME when DIR is "/"),
 * checked against the limits.  Returns GPATH_*. */
int gpath_join(const char *dir, const char *name, char *out, size_t size);

/* Why a GPATH_* error happened, for "gorump: PATH: %s". */
const char *gpath_strerror(int err);

#endif
