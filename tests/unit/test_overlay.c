/*
 * tests/unit/test_overlay.c — the overrides `gorump run IMAGE` applies to a
 * stored argv and environment (tool/overlay.c).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "overlay.h"

/* v holds exactly the n strings of want. */
static int strv_is(const struct strv *v, int n, const char *const *want)
{
    if (v->n != n)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(v->v[i], want[i]) != 0)
            return 0;
    return 1;
}

static void test_split(void)
{
    static const char s[] = "a\0\0bc\0";
    const char *want[] = {"a", "", "bc"};
    struct strv v;

    CHECK_EQ(strv_split(s, sizeof(s) - 1, &v), 0);
    CHECK(strv_is(&v, 3, want));
    free(v.v);
    CHECK_EQ(strv_split(NULL, 0, &v), 0);
    CHECK_EQ(v.n, 0);
    free(v.v);
}

static void test_args(void)
{
    static const char s[] = "prog\0-v\0old\0";
    char *args[] = {"new", "-x"};
    const char *replaced[] = {"prog", "new", "-x"};
    const char *kept[] = {"prog", "-v", "old"};
    const char *fresh[] = {"img", "new", "-x"};
    struct strv stored, none = {0}, out;

    CHECK_EQ(strv_split(s, sizeof(s) - 1, &stored), 0);
    CHECK_EQ(overlay_args(&stored, "img", args, 2, &out), 0);
    CHECK(strv_is(&out, 3, replaced)); /* argv[0] stays */
    free(out.v);
    CHECK_EQ(overlay_args(&stored, "img", args, 0, &out), 0);
    CHECK(strv_is(&out, 3, kept));
    free(out.v);
    CHECK_EQ(overlay_args(&none, "img", args, 2, &out), 0);
    CHECK(strv_is(&out, 3, fresh)); /* no stored argv: PROGRAM */
    free(out.v);
    CHECK_EQ(overlay_args(&none, "img", args, 0, &out), 0);
    CHECK(out.n == 1 && strcmp(out.v[0], "img") == 0);
    free(out.v);
    free(stored.v);
}

static void test_env(void)
{
    static const char s[] = "A=1\0B=2\0AB=3\0C\0";
    char *set[] = {"B=x", "D=4", "B=y", "A", "C=5", "D=6"};
    const char *want[] = {"A", "B=y", "AB=3", "C=5", "D=4", "D=6"};
    const char *only[] = {"B=x", "D=4"};
    struct strv stored, none = {0}, out;

    CHECK_EQ(strv_split(s, sizeof(s) - 1, &stored), 0);
    CHECK_EQ(overlay_env(&stored, set, 6, &out), 0);
    CHECK(strv_is(&out, 6, want));
    free(out.v);
    CHECK_EQ(overlay_env(&none, set, 2, &out), 0);
    CHECK(strv_is(&out, 2, only));
    free(out.v);
    CHECK_EQ(overlay_env(&stored, set, 0, &out), 0);
    CHECK_EQ(out.n, 4);
    free(out.v);
    free(stored.v);
}

/* The defaults, with -e replacing HOME in place and adding one. */
static void test_default_env(void)
{
    char *set[] = {"HOME=/tmp", "X=1"};
    const char *want[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/tmp", "HOSTNAME=gorump", "X=1"};
    struct strv out;

    CHECK_EQ(overlay_env(&overlay_default_env, set, 2, &out), 0);
    CHECK(strv_is(&out, 4, want));
    free(out.v);
}

int main(void)
{
    test_split();
    test_args();
    test_env();
    test_default_env();
    return check_done();
}
