/*
 * tool/exec.h — running Go test binaries in a guest: `gorump exec`, the
 * command `go test -exec` calls, and `gorump test`, which calls go test
 * with it.
 */
#ifndef GORUMP_TOOL_EXEC_H
#define GORUMP_TOOL_EXEC_H

#include <stddef.h>

/* The environment variables passed into the guest when set on the host. */
extern const char *const exec_env_vars[];

/* The directory `gorump exec` shares for a test run in cwd: the nearest
 * one at or above cwd holding a go.mod, else cwd, into out.  0, or -1
 * when that cannot be shared (it is /, or holds a space or a ':'). */
int exec_share_root(const char *cwd, char *out, size_t size);

/* Builds the `gorump run` argument vector for `gorump exec ARGS...`:
 * root shared read-only at its own path (-v; NULL: the working directory
 * packed there instead), the working directory made the guest's, the
 * test-relevant environment, then ARGS (options and PROGRAM).  out must
 * hold exec_argv_max(argc) entries; returns the count, or -1 when there
 * is no working directory.  empty_dir is an empty host directory packed
 * where the guest needs HOME and TMPDIR to exist. */
int exec_build_argv(int argc, char **argv, const char *cwd, const char *root,
                    const char *empty_dir, char **out, char *buf,
                    size_t bufsize);
size_t exec_argv_max(int argc);

/* argv[0] is "exec" / "test".  Return gorump's exit status. */
int cmd_exec(int argc, char **argv);
int cmd_test(int argc, char **argv);

#endif
