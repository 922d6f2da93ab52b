/*
 * tool/paths.c — locating the kernel and the commands the tool runs (see
 * paths.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

int exe_dir(char *out, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", out, size);
    char *slash;

    if (n <= 0 || (size_t)n >= size)
        return -1;
    out[n] = '\0';
    slash = strrchr(out, '/');
    if (slash == NULL)
        return -1;
    *(slash == out ? slash + 1 : slash) = '\0';
    return 0;
}

static int copy_path(char *out, size_t size, const char *path)
{
    if ((size_t)snprintf(out, size, "%s", path) >= size)
        return -1;
    return 0;
}

/* An explicit kernel path: must be a readable regular file. */
static int kernel_given(const char *path, const char *why, char *out,
                        size_t size)
{
    struct stat st;

    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        report("%s: %s (from %s)", path, strerror(errno), why);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        report("%s: not a regular file (from %s)", path, why);
        return -1;
    }
    return copy_path(out, size, path);
}

static int is_file(const char *path, int mode)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, mode) == 0;
}

int find_kernel(const char *override, char *out, size_t size)
{
    const char *env = getenv("GORUMP_KERNEL");
    char dir[4096];

    if (override != NULL)
        return kernel_given(override, "--kernel", out, size);
    if (env != NULL && env[0] != '\0')
        return kernel_given(env, "$GORUMP_KERNEL", out, size);
    if (exe_dir(dir, sizeof(dir)) != 0) {
        report("cannot find the gorump kernel: /proc/self/exe is "
               "unreadable; set GORUMP_KERNEL or use --kernel");
        return -1;
    }
    if ((size_t)snprintf(out, size, "%s/kernel.elf", dir) < size &&
        is_file(out, R_OK))
        return 0;
    if ((size_t)snprintf(out, size, "%s/../lib/gorump/kernel.elf", dir) <
            size &&
        is_file(out, R_OK))
        return 0;
    report("cannot find the gorump kernel (looked for %s/kernel.elf and "
           "%s/../lib/gorump/kernel.elf); set GORUMP_KERNEL or use --kernel",
           dir, dir);
    return -1;
}

/* NAME made absolute, so that it still works in a child that chdir()s. */
static int absolute(const char *name, char *out, size_t size)
{
    char cwd[4096];

    if (name[0] == '/')
        return copy_path(out, size, name);
    if (getcwd(cwd, sizeof(cwd)) == NULL ||
        (size_t)snprintf(out, size, "%s/%s", cwd, name) >= size)
        return -1;
    return 0;
}

/* DIR/NAME (just NAME for an empty DIR: the current directory) if it is an
 * executable file. */
static int try_dir(const char *dir, int n, const char *name, char *out,
                   size_t size)
{
    char buf[4096];

    if ((size_t)snprintf(buf, sizeof(buf), "%.*s%s%s", n, dir, n ? "/" : "",
                         name) >= sizeof(buf) ||
        !is_file(buf, X_OK))
        return -1;
    return absolute(buf, out, size);
}

int find_command(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    const char *p, *end;

    if (strchr(name, '/') != NULL)
        return is_file(name, X_OK) ? absolute(name, out, size) : -1;
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path;; p = end + 1) {
        end = strchr(p, ':');
        if (end == NULL)
            end = p + strlen(p);
        if (try_dir(p, (int)(end - p), name, out, size) == 0)
            return 0;
        if (*end == '\0')
            return -1;
    }
}
