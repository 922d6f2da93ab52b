/*
 * tests/unit/test_gpath.c — guest path normalisation (tool/gpath.c): what
 * each odd form becomes, relative host paths made absolute against the
 * current directory without resolving links, and the length limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/image.h>

#include "check.h"
#include "gpath.h"

/* gpath_normalise(in) gives want. */
static int norm_is(const char *in, const char *want)
{
    char out[GORUMP_PATH_MAX];

    return gpath_normalise(in, out, sizeof(out)) == GPATH_OK &&
           strcmp(out, want) == 0;
}

static void test_normalise(void)
{
    char out[GORUMP_PATH_MAX];

    CHECK(norm_is("/", "/"));
    CHECK(norm_is("//", "/"));
    CHECK(norm_is("/a", "/a"));
    CHECK(norm_is("/a/", "/a"));
    CHECK(norm_is("//a//b//", "/a/b"));
    CHECK(norm_is("/a/./b/.", "/a/b"));
    CHECK(norm_is("/a/../b", "/b"));
    CHECK(norm_is("/a/b/../../c", "/c"));
    CHECK(norm_is("/..", "/"));
    CHECK(norm_is("/../../x", "/x"));
    CHECK(norm_is("/a/..", "/"));
    CHECK(norm_is("/.../..a/a..", "/.../..a/a.."));
    CHECK(norm_is("/a b/c:d", "/a b/c:d"));
    CHECK_EQ(gpath_normalise("a/b", out, sizeof(out)), GPATH_ERELATIVE);
    CHECK_EQ(gpath_normalise("", out, sizeof(out)), GPATH_ERELATIVE);
    CHECK_EQ(gpath_normalise("./a", out, sizeof(out)), GPATH_ERELATIVE);
    CHECK_EQ(gpath_normalise("/abc", out, 4), GPATH_ETOOLONG);
}

/* "/" + n components of `len` bytes each, then `tail`; malloc'd. */
static char *components(int n, int len, const char *tail)
{
    char *p = malloc((size_t)n * ((size_t)len + 1) + strlen(tail) + 2), *q = p;

    for (int i = 0; i < n; i++) {
        *q++ = '/';
        memset(q, 'a', (size_t)len);
        q += len;
    }
    strcpy(q, tail);
    return p;
}

/* gpath_normalise's result for components(n, len, tail). */
static int norm_err(int n, int len, const char *tail)
{
    char out[GORUMP_PATH_MAX], *p = components(n, len, tail);
    int err = gpath_normalise(p, out, sizeof(out));

    free(p);
    return err;
}

static void test_limits(void)
{
    char tail[400] = "";

    CHECK_EQ(norm_err(1, 255, ""), GPATH_OK);
    CHECK_EQ(norm_err(1, 256, ""), GPATH_ENAME);
    CHECK_EQ(norm_err(1, 256, "/.."), GPATH_OK); /* only the result counts */
    memset(tail, 'b', 95);
    tail[0] = '/';
    CHECK_EQ(norm_err(40, 99, tail), GPATH_OK); /* 4000 + 95 bytes */
    strcat(tail, "b");
    CHECK_EQ(norm_err(40, 99, tail), GPATH_ETOOLONG);
    CHECK_EQ(norm_err(80, 99, ""), GPATH_ETOOLONG); /* 8000 bytes */
    tail[0] = '\0';
    for (int i = 0; i < 80; i++)
        strcat(tail, "/..");
    CHECK_EQ(norm_err(80, 99, tail), GPATH_OK);
}

static void test_absolute(void)
{
    char dir[] = "/tmp/gorump-test-gpath-XXXXXX", want[256], link[300];
    char out[GORUMP_PATH_MAX], saved[4096];

    CHECK(mkdtemp(dir) != NULL);
    CHECK(getcwd(saved, sizeof(saved)) != NULL);
    snprintf(link, sizeof(link), "%s/link", dir);
    CHECK_EQ(symlink("/usr", link), 0);
    CHECK_EQ(chdir(dir), 0);
    snprintf(want, sizeof(want), "%s/link/x", dir);
    CHECK_EQ(gpath_absolute("link/./x/", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, want) == 0); /* the link is not resolved */
    CHECK_EQ(gpath_absolute("link/..", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, dir) == 0); /* textually, not /usr/.. */
    CHECK_EQ(gpath_absolute(".", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, dir) == 0);
    CHECK_EQ(gpath_absolute("/x/../y", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, "/y") == 0);
    CHECK_EQ(chdir(saved), 0);
    unlink(link);
    rmdir(dir);
}

static void test_join(void)
{
    char out[GORUMP_PATH_MAX], name[300];

    CHECK_EQ(gpath_join("/", "a", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, "/a") == 0);
    CHECK_EQ(gpath_join("/a", "b", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, "/a/b") == 0);
    strcpy(out, "/in/place");
    CHECK_EQ(gpath_join(out, "c", out, sizeof(out)), GPATH_OK);
    CHECK(strcmp(out, "/in/place/c") == 0);
    memset(name, 'n', 256);
    name[256] = '\0';
    CHECK_EQ(gpath_join("/", name, out, sizeof(out)), GPATH_ENAME);
    CHECK_EQ(gpath_join("/abc", "d", out, 6), GPATH_ETOOLONG);
    CHECK(strstr(gpath_strerror(GPATH_ETOOLONG), "4095") != NULL);
    CHECK(strstr(gpath_strerror(GPATH_ENAME), "255") != NULL);
    CHECK(strstr(gpath_strerror(GPATH_ERELATIVE), "absolute") != NULL);
}

int main(void)
{
    test_normalise();
    test_limits();
    test_absolute();
    test_join();
    return check_done();
}
