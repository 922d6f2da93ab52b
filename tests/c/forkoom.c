/*
 * tests/c/forkoom.c — a fork child that runs the guest out of memory is
 * killed (SIGKILL), and so is the next one: each process's end by the
 * out-of-memory path is its own, and the parent goes on.  Touches pages
 * until the memory runs out, so it runs in a small guest only (the case
 * gives it 64 MiB), never natively.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child touching 1 GiB: how it ended, as wait's status. */
static int hog(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        size_t len = 1UL << 30;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            _exit(2);
        for (size_t i = 0; i < len; i += 4096)
            p[i] = 1;
        _exit(3); /* more memory than the guest has: not reached */
    }
    int st = -1;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

int main(void)
{
    int failed = 0;
    for (int i = 1; i <= 2; i++) {
        int st = hog();
        int ok = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        printf("child %d killed by SIGKILL: %s\n", i, ok ? "ok" : "FAILED");
        failed |= !ok;
    }
    if (!failed)
        printf("SUCCESS\n");
    return failed;
}
