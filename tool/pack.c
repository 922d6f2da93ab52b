/*
 * tool/pack.c — the pack list (see pack.h): adding to it, single files
 * and the records of an existing image.  Walking directories is in
 * pack_tree.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "image_plan.h"
#include "pack.h"
#include "util.h"

void pack_init(struct pack_list *l, int sigfd)
{
    memset(l, 0, sizeof(*l));
    l->sigfd = sigfd;
}

static void pack_file_free(struct pack_file *f)
{
    free(f->path);
    free(f->host);
    free(f->owned);
}

void pack_free(struct pack_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        pack_file_free(&l->v[i]);
    free(l->v);
    pack_init(l, l->sigfd);
}

void pack_drop(struct pack_list *l, const char *path)
{
    size_t k = 0;

    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].path, path) == 0 &&
            (l->v[i].mode & GORUMP_S_IFMT) != GORUMP_S_IFDIR)
            pack_file_free(&l->v[i]);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

int pack_add(struct pack_list *l, struct pack_file *f)
{
    struct pack_file *v = l->v;

    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        v = realloc(l->v, cap * sizeof(*v));
        if (v != NULL) {
            l->v = v;
            l->cap = cap;
        }
    }
    if (v == NULL || f->path == NULL) {
        pack_file_free(f);
        report("out of memory");
        return -1;
    }
    if ((f->mode & GORUMP_S_IFMT) == GORUMP_S_IFREG &&
        f->size > IMAGE_FILE_MAX) {
        report("%s: %llu bytes: a packed file may have at most %llu "
               "(2 GiB less 8 KiB)",
               f->host != NULL ? f->host : f->path, (unsigned long long)f->size,
               (unsigned long long)IMAGE_FILE_MAX);
        pack_file_free(f);
        return -1;
    }
    l->v[l->n++] = *f;
    return 0;
}

struct pack_file pack_record(const char *guestpath, const struct stat *st,
                             uint32_t type)
{
    struct pack_file f = {.mode = type | (st->st_mode & 07777),
                          .uid = st->st_uid,
                          .gid = st->st_gid,
                          .mtime_sec = st->st_mtim.tv_sec,
                          .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
                          .atime_sec = st->st_atim.tv_sec,
                          .atime_nsec = (uint32_t)st->st_atim.tv_nsec};

    f.path = strdup(guestpath);
    return f;
}

int pack_regular(struct pack_list *l, const char *hostfile,
                 const char *guestpath)
{
    struct pack_file f = {0};
    struct stat st;

    if (stat(hostfile, &st) != 0) {
        report("%s: %s", hostfile, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        report("%s: not a regular file%s", hostfile,
               S_ISDIR(st.st_mode) ? " (use --dir for a directory)" : "");
        return -1;
    }
    if (access(hostfile, R_OK) != 0) {
        report("%s: %s", hostfile, strerror(errno));
        return -1;
    }
    f = pack_record(guestpath, &st, GORUMP_S_IFREG);
    f.host = strdup(hostfile);
    f.size = (uint64_t)st.st_size;
    if (f.host == NULL) {
        free(f.path);
        f.path = NULL; /* pack_add reports it */
    }
    return pack_add(l, &f);
}

int pack_link(struct pack_list *l, const char *hostlink, const char *guestpath)
{
    char target[GORUMP_PATH_MAX];
    struct pack_file f = {0};
    struct stat st;
    /* lstat first: readlink moves the link's atime. */
    int lr = lstat(hostlink, &st);
    ssize_t n = lr == 0 ? readlink(hostlink, target, sizeof(target)) : -1;

    if (n < 0 || n >= (ssize_t)sizeof(target)) {
        report("%s: %s", hostlink,
               n < 0 || n < (ssize_t)sizeof(target)
                   ? strerror(errno)
                   : "symbolic link target too long for the guest");
        return -1;
    }
    f = pack_record(guestpath, &st, GORUMP_S_IFLNK);
    f.size = (uint64_t)n;
    f.owned = malloc((size_t)n + 1);
    f.data = f.owned;
    if (f.owned == NULL) {
        free(f.path);
        f.path = NULL; /* pack_add reports it */
    } else {
        memcpy(f.owned, target, (size_t)n);
    }
    return pack_add(l, &f);
}

int pack_has(const struct pack_list *l, const char *guestpath)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].path, guestpath) == 0)
            return 1;
    return 0;
}

int pack_image(struct pack_list *l, const struct gorump_image *img,
               const char *disk)
{
    struct gorump_file g;
    struct gorump_file_cursor cursor = {0, 0};
    int r;

    while ((r = gorump_image_next_file(img, &cursor, &g)) == 1) {
        struct pack_file f = {.mode = g.mode,
                              .uid = g.uid,
                              .gid = g.gid,
                              .mtime_sec = g.mtime_sec,
                              .mtime_nsec = g.mtime_nsec,
                              .atime_sec = g.atime_sec,
                              .atime_nsec = g.atime_nsec,
                              .size = g.size,
                              .data = g.data};
        f.path = strndup(g.path, g.path_len);
        if (g.on_disk) {
            f.host = strdup(disk != NULL ? disk : "");
            f.from_disk = 1;
            f.host_off = g.disk_offset;
            if (f.host == NULL) {
                free(f.path);
                f.path = NULL; /* pack_add reports it */
            }
        }
        if (pack_add(l, &f) != 0)
            return -1;
    }
    if (r < 0)
        report("%s", gorump_image_strerror(r));
    return r < 0 ? -1 : 0;
}
