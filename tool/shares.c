/*
 * tool/shares.c — the host side of -v (see shares.h): checking the
 * directories before QEMU would fail on them, readying volumes
 * (volume.c's volume_attach), and the kernel's command-line words.
 * QEMU's side is in qemu.c (qemu_add_shares).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "args_files.h"
#include "shares.h"
#include "util.h"
#include "volume.h"

/* How messages name share S: the -v value, and where it came from. */
static void shares_what(const struct run_share *s, char *buf, size_t size)
{
    snprintf(buf, size, "-v %s:%s%s%s", s->host, s->guest, s->ro ? ":ro" : "",
             s->recorded ? " (recorded in the image)" : "");
}

/* -v FILE:GUESTPATH, FILE a regular file: an ext2 volume, the slot-th,
 * locked and checked (volume_attach). */
static int shares_volume(struct run_share *s, const char *real, int slot)
{
    char what[2 * 4096 + 48];

    shares_what(s, what, sizeof(what));
    s->lock_fd = volume_attach(real, s->ro, what);
    if (s->lock_fd < 0)
        return -1;
    s->volume = 1;
    s->slot = slot;
    return 0;
}

/* S's host path resolved into real (PATH_MAX bytes): a directory or a
 * regular file that exists, its type in *is_file.  0, or -1 (reported). */
static int shares_real(const struct run_share *s, char *real, int *is_file)
{
    char what[2 * 4096 + 48];
    struct stat st;

    shares_what(s, what, sizeof(what));
    if (stat(s->host, &st) != 0) {
        report("%s: %s: %s", what, s->host, strerror(errno));
        return -1;
    }
    if ((!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) ||
        realpath(s->host, real) == NULL) {
        report("%s: %s is not a directory or a volume file", what, s->host);
        return -1;
    }
    *is_file = S_ISREG(st.st_mode);
    return 0;
}

/* Replaces S's host path by REAL.  0, or -1 (reported). */
static int shares_set_host(struct run_share *s, const char *real)
{
    char *copy = strdup(real);

    if (copy == NULL) {
        report("out of memory");
        return -1;
    }
    free(s->host);
    s->host = copy;
    return 0;
}

int shares_check(struct run_args *a)
{
    int nvol = 0;
    for (int i = 0; i < a->nshare; i++) {
        struct run_share *s = &a->share[i];
        char real[PATH_MAX];
        int is_file;
        if (shares_real(s, real, &is_file) != 0 ||
            (is_file && shares_volume(s, real, nvol++) != 0) ||
            shares_set_host(s, real) != 0)
            return -1;
    }
    return 0;
}

int shares_resolve(struct run_args *a)
{
    for (int i = 0; i < a->nshare; i++) {
        struct run_share *s = &a->share[i];
        char real[PATH_MAX];
        int is_file;
        if (!s->recorded && (shares_real(s, real, &is_file) != 0 ||
                             shares_set_host(s, real) != 0))
            return -1;
    }
    return 0;
}

/* The index of the share at guest path G among v[0..n), or -1. */
static int shares_find(const struct run_share *v, int n, const char *g)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].guest, g) == 0)
            return i;
    return -1;
}

/* Appends the image's entry R to v[*n]: the -v typed for its guest path
 * instead when there is one (marked in used).  0, or -1 (reported). */
static int shares_take(struct run_args *a, struct run_share *v, int *n,
                       int *used, const struct gorump_volume *r)
{
    const char *why = args_share_guest_why(r->guest);
    int k = shares_find(a->share, a->nshare, r->guest);

    if (why == NULL && shares_find(v, *n, r->guest) >= 0)
        why = "the guest path is recorded twice";
    if (why != NULL) {
        report("%s: the image's volume %s:%s: %s", a->program, r->host,
               r->guest, why);
        return -1;
    }
    if (k >= 0) {
        used[k] = 1;
        v[(*n)++] = a->share[k];
        return 0;
    }
    v[*n] = (struct run_share){.host = strdup(r->host),
                               .guest = strdup(r->guest),
                               .ro = r->ro,
                               .recorded = 1,
                               .lock_fd = -1};
    if (v[(*n)++].host == NULL || v[*n - 1].guest == NULL) {
        report("out of memory");
        return -1;
    }
    return 0;
}

int shares_merge(struct run_args *a, const struct gorump_image *img)
{
    struct run_share *v = calloc(RUN_SHARE_MAX * 2, sizeof(*v));
    int used[RUN_SHARE_MAX] = {0}, n = 0, r = 0;
    struct gorump_volume rec;
    uint64_t off = 0;

    if (v == NULL) {
        report("out of memory");
        return -1;
    }
    while (r == 0 && gorump_image_next_volume(img, &off, &rec) == 1)
        r = shares_take(a, v, &n, used, &rec);
    for (int i = 0; i < a->nshare && r == 0; i++)
        if (!used[i])
            v[n++] = a->share[i];
    if (r == 0 && n > RUN_SHARE_MAX) {
        report("%s: with the image's volumes, too many shares and volumes "
               "(at most %d)",
               a->program, RUN_SHARE_MAX);
        r = -1;
    }
    for (int i = 0; i < n && r != 0; i++)
        if (v[i].recorded) {
            free(v[i].host);
            free(v[i].guest);
        }
    if (r != 0) {
        free(v);
        return -1;
    }
    free(a->share);
    a->share = v;
    a->nshare = n;
    return 0;
}

int shares_cmdline(const struct run_args *a, char *cmdline, size_t size)
{
    size_t len = strlen(cmdline);
    for (int i = 0; i < a->nshare; i++) {
        const struct run_share *s = &a->share[i];
        int n = s->volume
                    ? snprintf(cmdline + len, size - len,
                               " gorump.volume=" SHARES_VOLUME_ID "%d:%s%s",
                               s->slot, s->guest, s->ro ? ":ro" : "")
                    : snprintf(cmdline + len, size - len,
                               " gorump.share=gorump%d:%s%s", i, s->guest,
                               s->ro ? ":ro" : "");
        if (n < 0 || (size_t)n >= size - len)
            return -1;
        len += (size_t)n;
    }
    return 0;
}
