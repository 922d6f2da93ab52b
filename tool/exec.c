/*
 * tool/exec.c — `gorump exec PROGRAM [ARG...]` runs a test binary the way
 * `go test -exec` expects: go test starts it in the package's source
 * directory, so the module holding it (the nearest directory with a
 * go.mod, else the package directory itself) is shared read-only at the
 * same path (-v, over virtio-9p: nothing is packed, and tests that read
 * ../testdata find it) and the package directory is made the working
 * directory; PWD, HOME,
 * TMPDIR, GOROOT and the Go runtime's own variables pass through when set
 * (HOME and TMPDIR exist in the guest, TMPDIR writable); every argument,
 * -test.* flags included, reaches the binary unchanged, and gorump exits
 * with its status, so go test prints ok or FAIL.  Guest memory defaults
 * to 1 GiB (GORUMP_TEST_MEMORY overrides; a later -m wins).
 *
 * `gorump test [go test flags] [packages]` is go test with
 * `-exec "<this gorump> exec"`.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gorump/console.h>

#include "exec.h"
#include "run.h"
#include "util.h"

const char *const exec_env_vars[] = {
    "HOME",    "TMPDIR",     "GOROOT",     "GOTRACEBACK", "GODEBUG",
    "GOGC",    "GOMEMLIMIT", "GOMAXPROCS", "GOCOVERDIR",  "GOEXPERIMENT",
    "GOFLAGS", "GOPATH",     NULL,
};

size_t exec_argv_max(int argc)
{
    size_t nvars = sizeof(exec_env_vars) / sizeof(exec_env_vars[0]);
    return (size_t)argc + 12 + 2 * nvars;
}

/* Appends s to buf (NUL-terminated), returning where it starts or NULL. */
static char *keep(char *buf, size_t size, size_t *used, const char *s)
{
    size_t n = strlen(s) + 1;
    if (*used + n > size)
        return NULL;
    char *p = buf + *used;
    memcpy(p, s, n);
    *used += n;
    return p;
}

static char *keep2(char *buf, size_t size, size_t *used, const char *a,
                   const char *sep, const char *b)
{
    char tmp[PATH_MAX * 2 + 8];
    if (snprintf(tmp, sizeof(tmp), "%s%s%s", a, sep, b) >= (int)sizeof(tmp))
        return NULL;
    return keep(buf, size, used, tmp);
}

/* Is path strictly inside directory dir (NULL: nothing is)? */
static int inside(const char *path, const char *dir)
{
    size_t n = dir != NULL ? strlen(dir) : 0;
    return n > 0 && strncmp(path, dir, n) == 0 && path[n] == '/';
}

int exec_share_root(const char *cwd, char *out, size_t size)
{
    char probe[PATH_MAX + 8];
    if (cwd[0] != '/' || strlen(cwd) >= size)
        return -1;
    strcpy(out, cwd);
    for (;;) {
        snprintf(probe, sizeof(probe), "%s/go.mod", out[1] ? out : "");
        if (access(probe, F_OK) == 0)
            break;
        char *slash = strrchr(out, '/');
        if (slash == out) { /* no go.mod up to the root */
            strcpy(out, cwd);
            break;
        }
        *slash = '\0';
    }
    /* What -v cannot share: the root, or a path it refuses. */
    return strcmp(out, "/") == 0 || strpbrk(out, " \t\n:") != NULL ? -1 : 0;
}

int exec_build_argv(int argc, char **argv, const char *cwd, const char *root,
                    const char *empty_dir, char **out, char *buf,
                    size_t bufsize)
{
    size_t used = 0;
    int n = 0;
    const char *mem = getenv("GORUMP_TEST_MEMORY");

    if (cwd == NULL || cwd[0] != '/')
        return -1;
    out[n++] = "run";
    out[n++] = "-m";
    out[n++] = (char *)(mem != NULL && *mem ? mem : "1G");
    if (root != NULL) {
        char spec[PATH_MAX * 2 + 8];
        snprintf(spec, sizeof(spec), "%s:%s:ro", root, root);
        out[n++] = "-v";
        out[n++] = keep(buf, bufsize, &used, spec);
    } else {
        out[n++] = "--dir";
        out[n++] = keep2(buf, bufsize, &used, cwd, ":", cwd);
    }
    out[n++] = "--cwd";
    out[n++] = (char *)cwd;
    out[n++] = "-e";
    out[n++] = keep2(buf, bufsize, &used, "PWD", "=", cwd);
    for (int i = 0; exec_env_vars[i] != NULL; i++) {
        const char *v = getenv(exec_env_vars[i]);
        if (v == NULL)
            continue;
        out[n++] = "-e";
        out[n++] = keep2(buf, bufsize, &used, exec_env_vars[i], "=", v);
        /* Directories the guest must have: an empty one packed there,
         * or, inside the read-only share, the host's own shared
         * writable (a directory packed there would be hidden). */
        if (v[0] == '/' && v[1] != '\0' &&
            (strcmp(exec_env_vars[i], "HOME") == 0 ||
             strcmp(exec_env_vars[i], "TMPDIR") == 0)) {
            if (inside(v, root)) {
                out[n++] = "-v";
                out[n++] = keep2(buf, bufsize, &used, v, ":", v);
            } else if (empty_dir != NULL) {
                out[n++] = "--dir";
                out[n++] = keep2(buf, bufsize, &used, empty_dir, ":", v);
            }
        }
    }
    for (int i = 1; i < argc; i++)
        out[n++] = argv[i];
    out[n] = NULL;
    for (int i = 0; i < n; i++)
        if (out[i] == NULL)
            return -1; /* a path too long for the buffer */
    return n;
}

int cmd_exec(int argc, char **argv)
{
    char cwd[PATH_MAX], root[PATH_MAX], empty[] = "/tmp/gorump-empty-XXXXXX";
    char buf[5 * PATH_MAX + 4096];

    if (argc < 2) {
        report("exec: usage: gorump exec [run options] PROGRAM [ARG...]");
        return GORUMP_STATUS_FAILURE;
    }
    if (getcwd(cwd, sizeof(cwd)) == NULL) {
        report("exec: cannot get the working directory: %s", strerror(errno));
        return GORUMP_STATUS_FAILURE;
    }
    /* Packed where HOME and TMPDIR must exist in the guest. */
    const char *empty_dir = mkdtemp(empty);
    char **out = calloc(exec_argv_max(argc) + 1, sizeof(*out));
    if (out == NULL) {
        report("exec: out of memory");
        return GORUMP_STATUS_FAILURE;
    }
    int n = exec_build_argv(
        argc, argv, cwd,
        exec_share_root(cwd, root, sizeof(root)) == 0 ? root : NULL, empty_dir,
        out, buf, sizeof(buf));
    int status;
    if (n < 0) {
        report("exec: %s: path too long", cwd);
        status = GORUMP_STATUS_FAILURE;
    } else {
        /* A test binary is built anew for each `go test`: a cached disk
         * of it would never be booted again. */
        setenv("GORUMP_CACHE", "off", 0);
        status = cmd_run(n, out);
    }
    if (empty_dir != NULL)
        rmdir(empty_dir);
    free(out);
    return status;
}

int cmd_test(int argc, char **argv)
{
    char self[PATH_MAX], execflag[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n < 0) {
        report("test: cannot find the gorump executable: %s", strerror(errno));
        return GORUMP_STATUS_FAILURE;
    }
    self[n] = '\0';
    snprintf(execflag, sizeof(execflag), "%s exec", self);
    char **gargv = calloc((size_t)argc + 4, sizeof(*gargv));
    if (gargv == NULL)
        return GORUMP_STATUS_FAILURE;
    const char *go = getenv("GO");
    int k = 0;
    gargv[k++] = (char *)(go != NULL && *go ? go : "go");
    gargv[k++] = "test";
    gargv[k++] = "-exec";
    gargv[k++] = execflag;
    for (int i = 1; i < argc; i++)
        gargv[k++] = argv[i];
    gargv[k] = NULL;
    setenv("CGO_ENABLED", "0", 0);
    execvp(gargv[0], gargv);
    report("test: %s: %s", gargv[0], strerror(errno));
    free(gargv);
    return GORUMP_STATUS_FAILURE;
}
