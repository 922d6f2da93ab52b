/*
 * tool/shares.c — the host side of -v shares (see shares.h): checking
 * the directories before QEMU would fail on them, and the kernel's
 * command-line words.  QEMU's side is in qemu.c (qemu_add_shares).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shares.h"
#include "util.h"

/* -v FILE:GUESTPATH, FILE a regular file: an ext2 volume.  The one place
 * that decides what to do with one. */
static int shares_volume(const struct run_share *s)
{
    report("-v %s:%s: %s is a file; volumes (ext2 images) are not "
           "supported yet: share a directory",
           s->host, s->guest, s->host);
    return -1;
}

int shares_check(struct run_args *a)
{
    for (int i = 0; i < a->nshare; i++) {
        struct run_share *s = &a->share[i];
        struct stat st;
        char real[PATH_MAX];
        if (stat(s->host, &st) != 0) {
            report("-v %s:%s: %s: %s", s->host, s->guest, s->host,
                   strerror(errno));
            return -1;
        }
        if (S_ISREG(st.st_mode))
            return shares_volume(s);
        if (!S_ISDIR(st.st_mode) || realpath(s->host, real) == NULL) {
            report("-v %s:%s: %s is not a directory", s->host, s->guest,
                   s->host);
            return -1;
        }
        char *copy = strdup(real);
        if (copy == NULL) {
            report("out of memory");
            return -1;
        }
        free(s->host);
        s->host = copy;
    }
    return 0;
}

int shares_cmdline(const struct run_args *a, char *cmdline, size_t size)
{
    size_t len = strlen(cmdline);
    for (int i = 0; i < a->nshare; i++) {
        int n =
            snprintf(cmdline + len, size - len, " gorump.share=gorump%d:%s%s",
                     i, a->share[i].guest, a->share[i].ro ? ":ro" : "");
        if (n < 0 || (size_t)n >= size - len)
            return -1;
        len += (size_t)n;
    }
    return 0;
}
