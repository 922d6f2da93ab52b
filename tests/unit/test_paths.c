/*
 * tests/unit/test_paths.c — finding commands in $PATH and the kernel
 * (tool/paths.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "paths.h"

static char base[64];

static void touch(const char *name, mode_t mode)
{
    char path[128];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", base, name);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    CHECK(fd >= 0);
    close(fd);
    chmod(path, mode);
}

static void test_find_command(void)
{
    char out[4096], want[256], path[256], cwd[4096];
    char *saved = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");

    snprintf(path, sizeof(path), "/nonexistent::%s/a:%s/b", base, base);
    setenv("PATH", path, 1);
    snprintf(want, sizeof(want), "%s/b/tool", base);
    CHECK_EQ(find_command("tool", out, sizeof(out)), 0); /* a/tool: no x */
    CHECK(strcmp(out, want) == 0);
    CHECK_EQ(find_command("dir", out, sizeof(out)), -1); /* a directory */
    CHECK_EQ(find_command("nothing", out, sizeof(out)), -1);
    /* With a '/', the name is used as it is, made absolute. */
    CHECK_EQ(find_command(want, out, sizeof(out)), 0);
    CHECK(strcmp(out, want) == 0);
    CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
    CHECK_EQ(chdir(base), 0);
    CHECK_EQ(find_command("./b/tool", out, sizeof(out)), 0);
    CHECK(out[0] == '/' && strstr(out, "/b/tool") != NULL);
    CHECK_EQ(find_command("./a/tool", out, sizeof(out)), -1);
    /* An empty $PATH entry is the current directory. */
    setenv("PATH", "/nonexistent::", 1);
    CHECK_EQ(chdir("b"), 0);
    CHECK_EQ(find_command("tool", out, sizeof(out)), 0);
    CHECK(strcmp(out, want) == 0);
    CHECK_EQ(chdir(cwd), 0);
    setenv("PATH", saved, 1);
    free(saved);
}

/* Expected messages from find_kernel() go to /dev/null. */
static int kernel_quietly(const char *override, char *out, size_t size)
{
    int saved = dup(2), null = open("/dev/null", O_WRONLY), r;

    fflush(stderr);
    dup2(null, 2);
    r = find_kernel(override, out, size);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(null);
    return r;
}

static void test_find_kernel(void)
{
    char out[4096], k[128], exe[4096];

    snprintf(k, sizeof(k), "%s/b/tool", base);
    setenv("GORUMP_KERNEL", "/nonexistent/kernel.elf", 1);
    CHECK_EQ(kernel_quietly(k, out, sizeof(out)), 0); /* --kernel wins */
    CHECK(strcmp(out, k) == 0);
    CHECK_EQ(kernel_quietly(NULL, out, sizeof(out)), -1);
    setenv("GORUMP_KERNEL", k, 1);
    CHECK_EQ(kernel_quietly(NULL, out, sizeof(out)), 0);
    CHECK(strcmp(out, k) == 0);
    CHECK_EQ(kernel_quietly(base, out, sizeof(out)), -1); /* a directory */
    unsetenv("GORUMP_KERNEL");
    CHECK_EQ(exe_dir(exe, sizeof(exe)), 0);
    CHECK(exe[0] == '/' && strstr(exe, "/unit") != NULL);
}

int main(void)
{
    char cmd[128];

    strcpy(base, "/tmp/gorump-test-paths-XXXXXX");
    CHECK(mkdtemp(base) != NULL);
    snprintf(cmd, sizeof(cmd), "%s/a", base);
    mkdir(cmd, 0755);
    snprintf(cmd, sizeof(cmd), "%s/b", base);
    mkdir(cmd, 0755);
    snprintf(cmd, sizeof(cmd), "%s/a/dir", base);
    mkdir(cmd, 0755);
    touch("a/tool", 0644);
    touch("b/tool", 0755);
    test_find_command();
    test_find_kernel();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
    CHECK(system(cmd) == 0);
    return check_done();
}
