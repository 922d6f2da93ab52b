/*
 * tool/args_files.c — --dir, --file and --cwd (see args_files.h).  The
 * value is split at its last ':', so a host path may hold ':' when a guest
 * path follows; guest paths are checked and normalised here, host paths
 * only when they are packed (pack_tree.c), since parsing looks at no file.
 */
#include <stdlib.h>
#include <string.h>

#include <gorump/image.h>

#include "args_files.h"
#include "gpath.h"

/* Checks and normalises guest path G of option OPT into *out. */
static int args_guest(struct run_args *a, const char *opt, const char *g,
                      char **out)
{
    char buf[GORUMP_PATH_MAX];
    int err = gpath_normalise(g, buf, sizeof(buf));

    if (err != GPATH_OK)
        return args_fail(a, "%s: '%s': %s", opt, g, gpath_strerror(err));
    *out = strdup(buf);
    if (*out == NULL)
        return args_fail(a, "out of memory");
    return RUN_ARGS_OK;
}

/* Splits V at its last ':' into a new host string and the guest part. */
static int args_split(struct run_args *a, const char *opt, const char *v,
                      const char **guest)
{
    struct run_pack *p = &a->pack[a->npack];
    const char *colon = strrchr(v, ':');
    size_t n = colon != NULL ? (size_t)(colon - v) : strlen(v);

    if (n == 0)
        return args_fail(a, "%s: empty host path in '%s'", opt, v);
    if (colon != NULL && colon[1] == '\0')
        return args_fail(a, "%s: empty guest path in '%s'", opt, v);
    p->host = strndup(v, n);
    if (p->host == NULL)
        return args_fail(a, "out of memory");
    a->npack++; /* run_args_free() frees it from here on */
    *guest = colon != NULL ? colon + 1 : NULL;
    return RUN_ARGS_OK;
}

int args_add_dir(struct run_args *a, const char *v)
{
    struct run_pack *p = &a->pack[a->npack];
    const char *guest;
    int r = args_split(a, "--dir", v, &guest);

    p->is_dir = 1;
    if (r != RUN_ARGS_OK || guest == NULL)
        return r;
    return args_guest(a, "--dir", guest, &p->guest);
}

int args_add_file(struct run_args *a, const char *v)
{
    struct run_pack *p = &a->pack[a->npack];
    const char *guest;
    int r = args_split(a, "--file", v, &guest);

    if (r != RUN_ARGS_OK)
        return r;
    if (guest == NULL)
        return args_fail(a,
                         "--file: '%s' names no guest path (want "
                         "--file HOSTFILE:GUESTPATH)",
                         v);
    r = args_guest(a, "--file", guest, &p->guest);
    if (r == RUN_ARGS_OK && strcmp(p->guest, "/") == 0)
        return args_fail(a, "--file: '%s': the guest path cannot be /", v);
    return r;
}

int args_set_cwd(struct run_args *a, const char *v)
{
    if (a->cwd != NULL)
        return args_fail(a, "--cwd given twice");
    return args_guest(a, "--cwd", v, &a->cwd);
}

/* Is guest path G (normalised) DIR or inside it? */
static int args_under(const char *g, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(g, dir, n) == 0 && (g[n] == '\0' || g[n] == '/');
}

/* The guest part of a -v value: refused where the guest's own file
 * systems are, and where the kernel's command line cannot carry it. */
const char *args_share_guest_why(const char *g)
{
    if (strcmp(g, "/") == 0)
        return "the guest path cannot be /";
    if (args_under(g, "/proc") || args_under(g, "/dev"))
        return "the guest path cannot be in /proc or /dev";
    if (strpbrk(g, " \t\n:") != NULL)
        return "the guest path cannot hold a space or ':'";
    return NULL;
}

static int args_share_guest(struct run_args *a, const char *v,
                            struct run_share *s)
{
    const char *why = args_share_guest_why(s->guest);

    if (why != NULL)
        return args_fail(a, "-v %s: %s", v, why);
    for (int i = 0; i < a->nshare - 1; i++)
        if (strcmp(a->share[i].guest, s->guest) == 0)
            return args_fail(a, "-v %s: %s is already mounted (by -v %s:%s)", v,
                             s->guest, a->share[i].host, s->guest);
    return RUN_ARGS_OK;
}

int args_add_share(struct run_args *a, const char *v)
{
    size_t n = strlen(v);
    int ro = n > 3 && strcmp(v + n - 3, ":ro") == 0;
    const char *end = v + n - (ro ? 3 : 0), *colon = NULL;

    if (a->nshare == RUN_SHARE_MAX)
        return args_fail(a, "-v %s: too many shares and volumes (at most %d)",
                         v, RUN_SHARE_MAX);
    for (const char *c = v; c < end; c++)
        if (*c == ':')
            colon = c;
    if (colon == NULL || colon == v || colon + 1 == end)
        return args_fail(a,
                         "-v %s: want -v HOSTDIR:GUESTPATH or "
                         "-v HOSTDIR:GUESTPATH:ro",
                         v);
    struct run_share *s = &a->share[a->nshare];
    char *guest = strndup(colon + 1, (size_t)(end - colon - 1));
    s->host = strndup(v, (size_t)(colon - v));
    s->ro = ro;
    s->lock_fd = -1;
    a->nshare++; /* run_args_free() frees them from here on */
    if (guest == NULL || s->host == NULL) {
        free(guest);
        return args_fail(a, "out of memory");
    }
    int r = args_guest(a, "-v", guest, &s->guest);
    free(guest);
    return r != RUN_ARGS_OK ? r : args_share_guest(a, v, s);
}
