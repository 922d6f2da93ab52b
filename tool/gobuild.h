/*
 * tool/gobuild.h — building a Go main package into a static linux/amd64
 * program with the host's Go toolchain.
 */
#ifndef GORUMP_TOOL_GOBUILD_H
#define GORUMP_TOOL_GOBUILD_H

/*
 * Runs `go build -o OUT .` in DIR with CGO_ENABLED=0 GOOS=linux
 * GOARCH=amd64; go is $GO if set, else go from $PATH, and its output goes
 * to our stderr.  Returns 0, -1 (reported), or the number of a stopping
 * signal that arrived on SIGFD meanwhile (go has been stopped).
 */
int go_build(const char *dir, const char *out, int sigfd);

#endif
