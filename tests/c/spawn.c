/*
 * tests/c/spawn.c — child processes as C libraries make them: posix_spawn
 * (clone with CLONE_VM|CLONE_VFORK on a stack of its own), vfork with
 * _exit and with a failing execve, a child killed by a signal, waitpid
 * and waitid statuses, getppid in the child, ECHILD.  Prints what it
 * saw, compared with the native run, and SUCCESS.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static char self[4096];
static int failed;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failed |= !ok;
}

static pid_t spawn(const char *arg, const char *arg2)
{
    char *argv[] = {self, (char *)arg, (char *)arg2, NULL};
    pid_t pid;
    int err = posix_spawn(&pid, self, NULL, NULL, argv, environ);
    return err ? -err : pid;
}

static volatile siginfo_t chld;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig, (void)uc;
    chld = *si;
}

static int child(char **argv)
{
    if (!strcmp(argv[1], "exit"))
        return atoi(argv[2]);
    if (!strcmp(argv[1], "ppid"))
        return getppid() == atoi(argv[2]) ? 0 : 1;
    for (;;)
        pause(); /* "wait": until killed */
}

int main(int argc, char **argv)
{
    int st;
    if (argc > 2)
        return child(argv);
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 2;
    self[n] = 0;
    setvbuf(stdout, NULL, _IONBF, 0);

    check(waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD, "no child");
    struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO};
    sigaction(SIGCHLD, &sa, NULL);
    pid_t pid = spawn("exit", "7");
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
              WEXITSTATUS(st) == 7,
          "posix_spawn, exit 7");
    check(chld.si_signo == SIGCHLD && chld.si_pid == pid &&
              chld.si_code == CLD_EXITED && chld.si_status == 7,
          "SIGCHLD with the child's pid and status");
    signal(SIGCHLD, SIG_DFL);
    char me[16];
    snprintf(me, sizeof(me), "%d", (int)getpid());
    pid = spawn("ppid", me);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && st == 0,
          "getppid in the child");

    pid = vfork();
    if (pid == 0)
        _exit(5);
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 5,
          "vfork, _exit 5");
    pid = vfork();
    if (pid == 0) {
        char *none[] = {"/nonexistent", NULL};
        execve(none[0], none, environ);
        _exit(errno == ENOENT ? 127 : 1);
    }
    check(pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 127,
          "vfork, execve ENOENT");
    char *none[] = {"/nonexistent", NULL};
    check(posix_spawn(&pid, none[0], NULL, NULL, none, environ) == ENOENT,
          "posix_spawn of a missing program: ENOENT");

    pid = spawn("wait", "x");
    check(pid > 0 && kill(pid, SIGTERM) == 0 && waitpid(pid, &st, 0) == pid &&
              WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
          "killed by SIGTERM");
    pid = spawn("exit", "3");
    siginfo_t si;
    memset(&si, 0, sizeof(si));
    check(pid > 0 && waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 &&
              si.si_pid == pid && si.si_code == CLD_EXITED && si.si_status == 3,
          "waitid WNOWAIT");
    check(waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3, "then waitpid");
    check(kill(pid, 0) < 0 && errno == ESRCH, "reaped: ESRCH");
    check(waitpid(-1, &st, 0) < 0 && errno == ECHILD, "no child left");
    if (!failed)
        printf("SUCCESS\n");
    return failed;
}
