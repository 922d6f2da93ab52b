/*
 * tool/overlay.c — merging overrides into an image's argv and envp (see
 * overlay.h).  Quadratic in the number of variables, which are few.
 */
#include <stdlib.h>
#include <string.h>

#include "overlay.h"

static char default_path[] =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
static char default_home[] = "HOME=/root";
static char default_hostname[] = "HOSTNAME=gorump";
static char *default_vars[] = {default_path, default_home, default_hostname};

const struct strv overlay_default_env = {default_vars, 3};

static int strv_alloc(struct strv *out, uint64_t n)
{
    out->n = 0;
    out->v = malloc((n ? n : 1) * sizeof(*out->v));
    return out->v != NULL ? 0 : -1;
}

int strv_split(const char *s, uint64_t size, struct strv *out)
{
    uint64_t n = 0;

    for (uint64_t i = 0; i < size; i++)
        n += s[i] == '\0';
    if (strv_alloc(out, n) != 0)
        return -1;
    for (uint64_t i = 0; i < size; i += strlen(s + i) + 1)
        out->v[out->n++] = (char *)s + i;
    return 0;
}

int overlay_args(const struct strv *stored, const char *program,
                 char *const *args, int nargs, struct strv *out)
{
    if (nargs == 0 && stored->n > 0) {
        if (strv_alloc(out, (uint64_t)stored->n) != 0)
            return -1;
        memcpy(out->v, stored->v, (size_t)stored->n * sizeof(*out->v));
        out->n = stored->n;
        return 0;
    }
    if (strv_alloc(out, (uint64_t)nargs + 1) != 0)
        return -1;
    out->v[out->n++] = stored->n > 0 ? stored->v[0] : (char *)program;
    for (int i = 0; i < nargs; i++)
        out->v[out->n++] = args[i];
    return 0;
}

/* Whether "KEY=..." strings a and b have the same KEY. */
static int same_key(const char *a, const char *b)
{
    size_t n = strcspn(a, "=");

    return strncmp(a, b, n) == 0 && (b[n] == '=' || b[n] == '\0');
}

/* The last of set[0..nset) with the KEY of e, or -1. */
static int last_set(const char *e, char *const *set, int nset)
{
    for (int i = nset - 1; i >= 0; i--)
        if (same_key(e, set[i]))
            return i;
    return -1;
}

static int stored_has(const struct strv *stored, const char *e)
{
    for (int i = 0; i < stored->n; i++)
        if (same_key(e, stored->v[i]))
            return 1;
    return 0;
}

int overlay_env(const struct strv *stored, char *const *set, int nset,
                struct strv *out)
{
    if (strv_alloc(out, (uint64_t)stored->n + (uint64_t)nset) != 0)
        return -1;
    for (int i = 0; i < stored->n; i++) {
        int k = last_set(stored->v[i], set, nset);
        out->v[out->n++] = k >= 0 ? set[k] : stored->v[i];
    }
    for (int i = 0; i < nset; i++)
        if (!stored_has(stored, set[i]))
            out->v[out->n++] = set[i];
    return 0;
}
