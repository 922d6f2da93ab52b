/*
 * tool/main.c — the `gorump` command: picks the subcommand and nothing
 * else.  The only file of the tool left out of the unit tests, so it holds
 * no logic worth testing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gorump/console.h>

#include "build.h"
#include "exec.h"
#include "run.h"
#include "usage.h"
#include "util.h"
#include "volume.h"

#ifndef GORUMP_VERSION
#define GORUMP_VERSION "dev"
#endif

/* A closed fd 0, 1 or 2 would be reused by the first open() or pipe() and
 * receive output meant for the user. */
static void hold_std_fds(void)
{
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
            _exit(GORUMP_STATUS_FAILURE);
    }
}

static int is_any(const char *s, const char *a, const char *b)
{
    return strcmp(s, a) == 0 || (b != NULL && strcmp(s, b) == 0);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    hold_std_fds();
    if (cmd == NULL) {
        usage_main(stderr);
        return GORUMP_STATUS_FAILURE;
    }
    if (is_any(cmd, "--help", "-h") || is_any(cmd, "help", NULL)) {
        usage_main(stdout);
        return 0;
    }
    if (is_any(cmd, "version", "--version")) {
        printf("gorump %s\n", GORUMP_VERSION);
        return 0;
    }
    if (is_any(cmd, "run", NULL))
        return cmd_run(argc - 1, argv + 1);
    if (is_any(cmd, "build", NULL))
        return cmd_build(argc - 1, argv + 1);
    if (is_any(cmd, "exec", NULL))
        return cmd_exec(argc - 1, argv + 1);
    if (is_any(cmd, "test", NULL))
        return cmd_test(argc - 1, argv + 1);
    if (is_any(cmd, "volume", NULL))
        return cmd_volume(argc - 1, argv + 1);
    report("unknown command '%s' (see 'gorump --help')", cmd);
    return GORUMP_STATUS_FAILURE;
}
