/*
 * tests/unit/test_exec.c — `gorump exec`'s translation into `gorump run`
 * arguments: the working directory packed and used, the environment that
 * passes through, HOME and TMPDIR made to exist, the program's own
 * arguments untouched and last.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "exec.h"

/* Index of the first argument equal to s at or after from, or -1. */
static int find(char **v, int n, int from, const char *s)
{
    for (int i = from; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return i;
    return -1;
}

/* Does "-e KEY=VALUE" appear? */
static int has_env(char **v, int n, const char *kv)
{
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(v[i], "-e") == 0 && strcmp(v[i + 1], kv) == 0)
            return 1;
    return 0;
}

static void test_basic(void)
{
    char *argv[] = {"exec",
                    "/tmp/b001/pkg.test",
                    "-test.paniconexit0",
                    "-test.timeout=10m0s",
                    "-test.v=test2json",
                    NULL};
    char *out[64], buf[8192];
    unsetenv("GORUMP_TEST_MEMORY");
    setenv("HOME", "/home/dev", 1);
    setenv("TMPDIR", "/tmp", 1);
    setenv("GOROOT", "/usr/lib/go-1.23", 1);
    unsetenv("GODEBUG");
    int n = exec_build_argv(5, argv, "/src/pkg", "/src", "/tmp/empty", out, buf,
                            sizeof(buf));
    CHECK(n > 0 && (size_t)n + 1 <= exec_argv_max(5));
    CHECK(strcmp(out[0], "run") == 0);
    int v = find(out, n, 0, "-v");
    CHECK(v > 0 && strcmp(out[v + 1], "/src:/src:ro") == 0);
    CHECK(find(out, n, 0, "/src/pkg:/src/pkg") < 0);
    int c = find(out, n, 0, "--cwd");
    CHECK(c > 0 && strcmp(out[c + 1], "/src/pkg") == 0);
    int m = find(out, n, 0, "-m");
    CHECK(m > 0 && strcmp(out[m + 1], "1G") == 0);
    CHECK(has_env(out, n, "PWD=/src/pkg"));
    CHECK(has_env(out, n, "HOME=/home/dev"));
    CHECK(has_env(out, n, "TMPDIR=/tmp"));
    CHECK(has_env(out, n, "GOROOT=/usr/lib/go-1.23"));
    CHECK(find(out, n, 0, "/tmp/empty:/home/dev") > 0);
    CHECK(find(out, n, 0, "/tmp/empty:/tmp") > 0);
    /* The program and every flag come last, unchanged and in order. */
    CHECK(strcmp(out[n - 4], "/tmp/b001/pkg.test") == 0);
    CHECK(strcmp(out[n - 3], "-test.paniconexit0") == 0);
    CHECK(strcmp(out[n - 2], "-test.timeout=10m0s") == 0);
    CHECK(strcmp(out[n - 1], "-test.v=test2json") == 0);
    CHECK(out[n] == NULL);
}

/* TMPDIR inside the shared module: the host's, shared writable. */
static void test_tmpdir_inside(void)
{
    char *argv[] = {"exec", "p.test", NULL};
    char *out[64], buf[8192];
    setenv("TMPDIR", "/src/tmp", 1);
    setenv("HOME", "/home/dev", 1);
    int n = exec_build_argv(2, argv, "/src/pkg", "/src", "/tmp/empty", out, buf,
                            sizeof(buf));
    CHECK(n > 0);
    CHECK(find(out, n, 0, "/src/tmp:/src/tmp") > 0);
    CHECK(find(out, n, 0, "/tmp/empty:/src/tmp") < 0);
    CHECK(find(out, n, 0, "/tmp/empty:/home/dev") > 0);
    setenv("TMPDIR", "/tmp", 1);
}

static void test_memory_and_errors(void)
{
    char *argv[] = {"exec", "-m", "2G", "x.test", NULL};
    char *out[64], buf[8192];
    setenv("GORUMP_TEST_MEMORY", "512M", 1);
    int n = exec_build_argv(4, argv, "/w", NULL, NULL, out, buf, sizeof(buf));
    /* Nothing to share: the working directory is packed. */
    int d = find(out, n, 0, "--dir");
    CHECK(d > 0 && strcmp(out[d + 1], "/w:/w") == 0);
    CHECK(find(out, n, 0, "-v") < 0);
    int m = find(out, n, 0, "-m");
    CHECK(m > 0 && strcmp(out[m + 1], "512M") == 0);
    /* The user's own -m comes later and so wins. */
    CHECK(find(out, n, m + 1, "-m") > m);
    unsetenv("GORUMP_TEST_MEMORY");
    CHECK_EQ(
        exec_build_argv(4, argv, "relative", NULL, NULL, out, buf, sizeof(buf)),
        -1);
    CHECK_EQ(exec_build_argv(4, argv, "/w", NULL, NULL, out, buf, 8), -1);
}

/* The nearest go.mod above the working directory, else itself. */
static void test_share_root(void)
{
    char tmp[] = "/tmp/test-exec-XXXXXX", path[512], root[512];
    CHECK(mkdtemp(tmp) != NULL);
    snprintf(path, sizeof(path), "%s/a/b", tmp);
    char mk[600];
    snprintf(mk, sizeof(mk), "mkdir -p %s && touch %s/a/go.mod", path, tmp);
    CHECK(system(mk) == 0);
    CHECK_EQ(exec_share_root(path, root, sizeof(root)), 0);
    snprintf(mk, sizeof(mk), "%s/a", tmp);
    CHECK(strcmp(root, mk) == 0);
    snprintf(mk, sizeof(mk), "rm %s/a/go.mod", tmp);
    CHECK(system(mk) == 0);
    CHECK_EQ(exec_share_root(path, root, sizeof(root)), 0);
    CHECK(strcmp(root, path) == 0);
    CHECK_EQ(exec_share_root("/", root, sizeof(root)), -1);
    CHECK_EQ(exec_share_root("/x:y", root, sizeof(root)), -1);
    snprintf(mk, sizeof(mk), "rm -r %s", tmp);
    CHECK(system(mk) == 0);
}

int main(void)
{
    test_share_root();
    test_basic();
    test_tmpdir_inside();
    test_memory_and_errors();
    return check_done();
}
