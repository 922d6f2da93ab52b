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

#include "shares.h"
#include "util.h"
#include "volume.h"

/* -v FILE:GUESTPATH, FILE a regular file: an ext2 volume, the slot-th,
 * locked and checked (volume_attach). */
static int shares_volume(struct run_share *s, const char *real, int slot)
{
    char what[2 * 4096 + 16];
    snprintf(what, sizeof(what), "-v %s:%s%s", s->host, s->guest,
             s->ro ? ":ro" : "");
    s->lock_fd = volume_attach(real, s->ro, what);
    if (s->lock_fd < 0)
        return -1;
    s->volume = 1;
    s->slot = slot;
    return 0;
}

int shares_check(struct run_args *a)
{
    int nvol = 0;
    for (int i = 0; i < a->nshare; i++) {
        struct run_share *s = &a->share[i];
        struct stat st;
        char real[PATH_MAX];
        if (stat(s->host, &st) != 0) {
            report("-v %s:%s: %s: %s", s->host, s->guest, s->host,
                   strerror(errno));
            return -1;
        }
        if ((!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) ||
            realpath(s->host, real) == NULL) {
            report("-v %s:%s: %s is not a directory or a volume file", s->host,
                   s->guest, s->host);
            return -1;
        }
        if (S_ISREG(st.st_mode) && shares_volume(s, real, nvol++) != 0)
            return -1;
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
