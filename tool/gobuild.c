/*
 * tool/gobuild.c — `go build` for `gorump run DIR` (see gobuild.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "gobuild.h"
#include "paths.h"
#include "proc.h"
#include "util.h"

int go_build(const char *dir, const char *out, int sigfd)
{
    static char cgo[] = "CGO_ENABLED=0", os[] = "GOOS=linux",
                arch[] = "GOARCH=amd64";
    char *const env[] = {cgo, os, arch, NULL};
    const char *go = getenv("GO");
    char path[4096];
    char *argv[] = {path, "build", "-o", (char *)out, ".", NULL};
    struct spawn s = {.path = path,
                      .argv = argv,
                      .dir = dir,
                      .env = env,
                      .stdout_fd = 2,
                      .stderr_fd = -1};
    int wstatus, sig;
    pid_t pid;

    if (go == NULL || go[0] == '\0')
        go = "go";
    if (find_command(go, path, sizeof(path)) != 0) {
        report("%s: go command not found (install Go, e.g. apt-get install "
               "golang-go, or set $GO)",
               go);
        return -1;
    }
    pid = spawn_child(&s);
    if (pid < 0)
        return -1;
    sig = wait_child(pid, sigfd, &wstatus);
    if (sig != 0)
        return sig;
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        report("%s: go build failed", dir);
        return -1;
    }
    return 0;
}
