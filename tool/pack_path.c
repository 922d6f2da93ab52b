/*
 * tool/pack_path.c — pack_host_path (see pack.h): one path resolved
 * component by component as path_resolution(7) describes, inside a root,
 * packing each symbolic link met on the way, so that the guest, which
 * resolves the same path in its own tree, meets the same links and ends
 * at the same file.  Used for the interpreter and libraries of a
 * dynamically linked program, whose paths the guest's loader opens.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "pack.h"
#include "util.h"

#define LINKS_MAX 40 /* Linux's MAXSYMLINKS: then ELOOP */

struct resolve {
    const char *root;
    char done[GORUMP_PATH_MAX]; /* resolved so far, no links; "" is / */
    char rest[GORUMP_PATH_MAX]; /* what is left to resolve */
    char host[PATH_MAX];        /* root + done */
    int links;
};

/* done minus its last component ("/a/b" -> "/a", "/a" -> ""). */
static void resolve_up(struct resolve *r)
{
    char *slash = strrchr(r->done, '/');

    if (slash != NULL)
        *slash = '\0';
}

/* Appends component C[0..n) to done; -1 when too long. */
static int resolve_down(struct resolve *r, const char *c, size_t n)
{
    size_t len = strlen(r->done);

    if (len + 1 + n >= sizeof(r->done))
        return -1;
    r->done[len] = '/';
    memcpy(r->done + len + 1, c, n);
    r->done[len + 1 + n] = '\0';
    if ((size_t)snprintf(r->host, sizeof(r->host), "%s%s", r->root, r->done) >=
        sizeof(r->host))
        return -1;
    return 0;
}

/* done is a link: packs it, and resolves its target followed by NEXT
 * (what was left after it).  0 to go on, 1 to stop (not found), -1. */
static int resolve_link(struct resolve *r, struct pack_list *l,
                        const char *next)
{
    char target[GORUMP_PATH_MAX], rest[GORUMP_PATH_MAX];
    ssize_t n;

    if (!pack_has(l, r->done) && pack_link(l, r->host, r->done) != 0)
        return -1;
    n = readlink(r->host, target, sizeof(target) - 1);
    if (n <= 0 || ++r->links > LINKS_MAX)
        return 1;
    target[n] = '\0';
    if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", target, next) >=
        sizeof(rest))
        return 1;
    memcpy(r->rest, rest, strlen(rest) + 1);
    if (target[0] == '/')
        r->done[0] = '\0';
    else
        resolve_up(r);
    return 0;
}

/* Drops the first component from r->rest, NEXT being what follows. */
static void resolve_advance(struct resolve *r, const char *next)
{
    memmove(r->rest, next, strlen(next) + 1);
}

/* Resolves the next component of r->rest.  0 to go on, 1 (not found or
 * not a regular file), 2 when done names the file, -1 on an error. */
static int resolve_step(struct resolve *r, struct pack_list *l)
{
    const char *c = r->rest, *next;
    size_t n;
    struct stat st;

    while (*c == '/')
        c++;
    n = strcspn(c, "/");
    next = c + n;
    while (*next == '/')
        next++;
    if (n == 0)
        return 1; /* ends at a directory */
    if (n <= 2 && memcmp(c, "..", n) == 0) {
        if (n == 2)
            resolve_up(r);
        resolve_advance(r, next);
        return 0;
    }
    if (resolve_down(r, c, n) != 0 || lstat(r->host, &st) != 0)
        return 1;
    if (S_ISLNK(st.st_mode))
        return resolve_link(r, l, next);
    if (S_ISREG(st.st_mode))
        return *next == '\0' ? 2 : 1;
    if (!S_ISDIR(st.st_mode))
        return 1;
    resolve_advance(r, next);
    return 0;
}

int pack_host_path(struct pack_list *l, const char *root, const char *path,
                   char *real)
{
    static struct resolve r; /* 12 KiB: not on the stack */
    int err = 0;

    r.root = root;
    r.done[0] = '\0';
    r.links = 0;
    if (path[0] != '/' || strlen(path) >= sizeof(r.rest))
        return 1;
    memcpy(r.rest, path, strlen(path) + 1);
    while (err == 0)
        err = resolve_step(&r, l);
    if (err != 2)
        return err;
    if (real != NULL)
        memcpy(real, r.done, strlen(r.done) + 1);
    if (pack_has(l, r.done))
        return 0;
    if (access(r.host, R_OK) != 0)
        return 1;
    return pack_regular(l, r.host, r.done);
}
