/*
 * tool/gpath.c — guest path normalisation (see gpath.h).  Works on a copy
 * as long as the input, so the limits are checked on the result only:
 * "/a/../b" is fine however long "a" was.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/image.h>

#include "gpath.h"

/* Appends component s[0..n) to the normalised path buf[0..*len), or
 * removes its last component for "..". */
static void gpath_push(char *buf, size_t *len, const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.'))
        return;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
        while (*len > 0 && buf[*len - 1] != '/')
            (*len)--;
        if (*len > 0)
            (*len)--; /* the '/' before it */
        return;
    }
    buf[(*len)++] = '/';
    memcpy(buf + *len, s, n);
    *len += n;
}

/* The limits of image.h, on a normalised path. */
static int gpath_check(const char *p, size_t len)
{
    size_t start = 1;

    if (len >= GORUMP_PATH_MAX)
        return GPATH_ETOOLONG;
    for (size_t i = 1; i <= len; i++) {
        if (i < len && p[i] != '/')
            continue;
        if (i - start > GORUMP_NAME_MAX)
            return GPATH_ENAME;
        start = i + 1;
    }
    return GPATH_OK;
}

int gpath_normalise(const char *in, char *out, size_t size)
{
    size_t n = strlen(in), len = 0;
    char *buf;
    int err;

    if (in[0] != '/')
        return GPATH_ERELATIVE;
    buf = malloc(n + 2);
    if (buf == NULL)
        return GPATH_ETOOLONG;
    for (const char *p = in; *p != '\0';) {
        size_t c = strcspn(p, "/");
        gpath_push(buf, &len, p, c);
        p += c + (p[c] == '/');
    }
    if (len == 0)
        buf[len++] = '/';
    buf[len] = '\0';
    err = gpath_check(buf, len);
    if (err == GPATH_OK && len >= size)
        err = GPATH_ETOOLONG;
    if (err == GPATH_OK)
        memcpy(out, buf, len + 1);
    free(buf);
    return err;
}

int gpath_absolute(const char *host, char *out, size_t size)
{
    char cwd[PATH_MAX], *joined;
    int err;

    if (host[0] == '/')
        return gpath_normalise(host, out, size);
    if (getcwd(cwd, sizeof(cwd)) == NULL)
        return GPATH_ECWD;
    joined = malloc(strlen(cwd) + strlen(host) + 2);
    if (joined == NULL)
        return GPATH_ETOOLONG;
    sprintf(joined, "%s/%s", cwd, host);
    err = gpath_normalise(joined, out, size);
    free(joined);
    return err;
}

int gpath_join(const char *dir, const char *name, char *out, size_t size)
{
    size_t dn = strcmp(dir, "/") == 0 ? 0 : strlen(dir), nn = strlen(name);

    if (nn > GORUMP_NAME_MAX)
        return GPATH_ENAME;
    if (dn + 1 + nn >= GORUMP_PATH_MAX || dn + 1 + nn >= size)
        return GPATH_ETOOLONG;
    memmove(out, dir, dn); /* out may be dir */
    out[dn] = '/';
    memcpy(out + dn + 1, name, nn + 1);
    return GPATH_OK;
}

const char *gpath_strerror(int err)
{
    switch (err) {
    case GPATH_ERELATIVE:
        return "not an absolute path";
    case GPATH_ETOOLONG:
        return "path too long for the guest (the limit is 4095 bytes)";
    case GPATH_ENAME:
        return "a file name too long for the guest (the limit is 255 bytes)";
    case GPATH_ECWD:
        return "cannot find the current directory";
    }
    return "bad path";
}
