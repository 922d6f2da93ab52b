/*
 * tool/pack_tree.c — pack_dir (see pack.h): a depth-first walk of a host
 * directory with lstat, one directory open at a time (its names are read,
 * sorted and the directory closed before descending), so neither deep nor
 * wide trees run out of file descriptors, and the image does not depend on
 * readdir's order.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gorump/image.h>

#include "gpath.h"
#include "pack.h"
#include "proc.h"
#include "util.h"

/* The path being visited, host and guest, grown and cut back in place. */
struct walk {
    struct pack_list *l;
    char *host;
    size_t host_len, host_cap;
    char guest[GORUMP_PATH_MAX];
};

static int walk_entry(struct walk *w, const char *name);

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* The host path for messages ("/" for the root, kept as ""). */
static const char *walk_host(const struct walk *w)
{
    return w->host_len > 0 ? w->host : "/";
}

/* Appends a copy of NAME to v[0..*n), growing it by doubling. */
static int names_add(char ***v, size_t *n, size_t *cap, const char *name)
{
    char **nv = *v;

    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        nv = realloc(*v, *cap * sizeof(*nv));
        if (nv == NULL)
            return -1;
        *v = nv;
    }
    nv[*n] = strdup(name);
    if (nv[*n] == NULL)
        return -1;
    (*n)++;
    return 0;
}

/* The names in directory w->host but "." and "..", sorted. */
static int walk_names(struct walk *w, char ***out, size_t *count)
{
    DIR *d = opendir(walk_host(w));
    struct dirent *e;
    char **v = NULL;
    size_t n = 0, cap = 0;
    int err = 0;

    if (d == NULL) {
        report("%s: cannot read the directory: %s", walk_host(w),
               strerror(errno));
        return -1;
    }
    while (err == 0 && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        err = names_add(&v, &n, &cap, e->d_name);
        if (err != 0)
            report("out of memory");
    }
    if (err == 0 && errno != 0) {
        report("%s: cannot read the directory: %s", walk_host(w),
               strerror(errno));
        err = -1;
    }
    closedir(d);
    if (err != 0) {
        names_free(v, n);
        return -1;
    }
    if (n > 0)
        qsort(v, n, sizeof(*v), name_cmp);
    *out = v;
    *count = n;
    return 0;
}

/* The contents of directory w->host, at w->guest. */
static int walk_dir(struct walk *w)
{
    char **names;
    size_t n;
    int err = 0;

    if (w->l->sigfd >= 0 && (w->l->stop = signals_take(w->l->sigfd)) != 0)
        return -1;
    if (walk_names(w, &names, &n) != 0)
        return -1;
    for (size_t i = 0; i < n && err == 0; i++)
        err = walk_entry(w, names[i]);
    names_free(names, n);
    return err;
}

/* Appends "/NAME" to w->host and w->guest; 0, or -1 (reported). */
static int walk_push(struct walk *w, const char *name)
{
    size_t n = strlen(name);
    int err;

    if (w->host_len + n + 2 > w->host_cap) {
        size_t cap = 2 * (w->host_len + n + 2);
        char *h = realloc(w->host, cap);
        if (h == NULL) {
            report("out of memory");
            return -1;
        }
        w->host = h;
        w->host_cap = cap;
    }
    w->host[w->host_len] = '/';
    memcpy(w->host + w->host_len + 1, name, n + 1);
    w->host_len += n + 1;
    err = gpath_join(w->guest, name, w->guest, sizeof(w->guest));
    if (err != GPATH_OK) {
        report("%s: %s", w->host, gpath_strerror(err));
        return -1;
    }
    return 0;
}

static void walk_pop(struct walk *w, size_t host_len, size_t guest_len)
{
    w->host_len = host_len;
    w->host[host_len] = '\0';
    w->guest[guest_len] = '\0';
}

/* The record for w->host, of TYPE, as ST says. */
static struct pack_file walk_record(const struct walk *w, const struct stat *st,
                                    uint32_t type)
{
    struct pack_file f = {.mode = type | (st->st_mode & 07777),
                          .uid = st->st_uid,
                          .gid = st->st_gid,
                          .mtime_sec = st->st_mtim.tv_sec,
                          .mtime_nsec = (uint32_t)st->st_mtim.tv_nsec,
                          .atime_sec = st->st_atim.tv_sec,
                          .atime_nsec = (uint32_t)st->st_atim.tv_nsec};

    f.path = strdup(w->guest);
    return f;
}

/* A regular file: its contents are read when the image is written. */
static int walk_regular(struct walk *w, const struct stat *st)
{
    struct pack_file f;

    if (access(w->host, R_OK) != 0) {
        report("%s: %s", w->host, strerror(errno));
        return -1;
    }
    f = walk_record(w, st, GORUMP_S_IFREG);
    f.size = (uint64_t)st->st_size;
    f.host = strdup(w->host);
    if (f.host == NULL) {
        free(f.path);
        f.path = NULL; /* pack_add reports it */
    }
    return pack_add(w->l, &f);
}

/* A symbolic link: its target, as readlink gives it, is kept. */
static int walk_link(struct walk *w, const struct stat *st)
{
    char target[GORUMP_PATH_MAX];
    ssize_t n = readlink(w->host, target, sizeof(target));
    struct pack_file f;

    if (n < 0 || n >= (ssize_t)sizeof(target)) {
        report("%s: %s", w->host,
               n < 0 ? strerror(errno)
                     : "symbolic link target too long for the guest");
        return -1;
    }
    f = walk_record(w, st, GORUMP_S_IFLNK);
    f.size = (uint64_t)n;
    f.owned = malloc((size_t)n);
    f.data = f.owned;
    if (f.owned == NULL) {
        free(f.path);
        f.path = NULL;
    } else {
        memcpy(f.owned, target, (size_t)n);
    }
    return pack_add(w->l, &f);
}

static int walk_subdir(struct walk *w, const struct stat *st)
{
    struct pack_file f = walk_record(w, st, GORUMP_S_IFDIR);

    if (pack_add(w->l, &f) != 0)
        return -1;
    return walk_dir(w);
}

static const char *walk_kind(mode_t m)
{
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISFIFO(m))
        return "a fifo";
    return S_ISCHR(m) || S_ISBLK(m) ? "a device" : "an unknown file type";
}

/* Whatever w->host is, by lstat: links are not followed. */
static int walk_visit(struct walk *w)
{
    struct stat st;

    if (lstat(w->host, &st) != 0) {
        report("%s: %s", w->host, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return walk_subdir(w, &st);
    if (S_ISREG(st.st_mode))
        return walk_regular(w, &st);
    if (S_ISLNK(st.st_mode))
        return walk_link(w, &st);
    report("%s: skipped (%s)", w->host, walk_kind(st.st_mode));
    return 0;
}

/* One entry of the current directory, and what is under it. */
static int walk_entry(struct walk *w, const char *name)
{
    size_t host_len = w->host_len, guest_len = strlen(w->guest);
    int err = walk_push(w, name);

    if (err == 0)
        err = walk_visit(w);
    walk_pop(w, host_len, guest_len);
    return err;
}

/* w->guest for HOSTDIR: GUESTDIR, or HOSTDIR made absolute. */
static int walk_root_guest(struct walk *w, const char *hostdir,
                           const char *guestdir)
{
    int err = guestdir != NULL
                  ? gpath_normalise(guestdir, w->guest, sizeof(w->guest))
                  : gpath_absolute(hostdir, w->guest, sizeof(w->guest));

    if (err != GPATH_OK)
        report("%s: %s", guestdir != NULL ? guestdir : hostdir,
               gpath_strerror(err));
    return err != GPATH_OK ? -1 : 0;
}

/* w->host = HOSTDIR without trailing '/' ("/" becomes "", since every
 * entry appends "/NAME"). */
static int walk_root_host(struct walk *w, const char *hostdir)
{
    size_t n = strlen(hostdir);

    while (n > 0 && hostdir[n - 1] == '/')
        n--;
    w->host_cap = n + 256;
    w->host = malloc(w->host_cap);
    if (w->host == NULL) {
        report("out of memory");
        return -1;
    }
    memcpy(w->host, hostdir, n);
    w->host[n] = '\0';
    w->host_len = n;
    return 0;
}

int pack_dir(struct pack_list *l, const char *hostdir, const char *guestdir)
{
    struct walk w = {.l = l};
    struct stat st;
    int err;

    if (stat(hostdir, &st) != 0) {
        report("%s: %s", hostdir, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        report("%s: not a directory%s", hostdir,
               S_ISREG(st.st_mode) ? " (use --file for a file)" : "");
        return -1;
    }
    if (walk_root_guest(&w, hostdir, guestdir) != 0 ||
        walk_root_host(&w, hostdir) != 0)
        return -1;
    /* "/" has no record: the guest's root is always there. */
    if (strcmp(w.guest, "/") != 0)
        err = walk_subdir(&w, &st);
    else
        err = walk_dir(&w);
    free(w.host);
    return err;
}
