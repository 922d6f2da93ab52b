/*
 * tests/c/fork.c — fork with copy-on-write address spaces: what the child
 * writes (a global, the heap, the stack, a private file mapping, memory
 * made read-only or PROT_NONE around the fork, a buffer the kernel fills
 * by read) the parent does not see, and what the parent writes after the
 * fork the child does not; MAP_SHARED memory (anonymous and a file's)
 * both see; pipes both ways; a grandchild; execve in a child; clone with
 * CLONE_CHILD_SETTID writing the child's memory only; a thread writing while
 * the main thread forks (two CPUs: no CPU keeps a writable entry); 200 forks
 * with no memory kept.  Prints what it saw, compared with the native run, and
 * SUCCESS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096
static int failed;
static int global = 11;
static char bss[3 * PAGE];

static void check(int ok, const char *what)
{
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failed |= !ok;
}

/* The child's exit status, or -1. */
static int reap(pid_t pid)
{
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

/* The child writes everywhere; the parent still has its values. */
static void child_writes(void)
{
    int stack = 22;
    char *heap = malloc(64 * PAGE);
    memset(heap, 'h', 64 * PAGE);
    memset(bss, 'b', sizeof(bss));
    pid_t pid = fork();
    if (pid == 0) {
        int saw = global == 11 && stack == 22 && heap[5 * PAGE] == 'h' &&
                  bss[PAGE] == 'b';
        global = 12, stack = 23;
        memset(heap, 'c', 64 * PAGE);
        memset(bss, 'c', sizeof(bss));
        _exit(saw && heap[63 * PAGE] == 'c' ? 0 : 1);
    }
    check(reap(pid) == 0, "the child saw the parent's values and wrote");
    int same = global == 11 && stack == 22 && bss[2 * PAGE] == 'b';
    for (int i = 0; i < 64 * PAGE; i++)
        same &= heap[i] == 'h';
    check(same, "the parent's global, stack, heap and bss unchanged");
    free(heap);
}

/* The parent writes after the fork; the child, told by a pipe, does not
 * see it (its page was the parent's until then). */
static void parent_writes(void)
{
    int go[2], back[2];
    char c = 0;
    if (pipe(go) || pipe(back))
        exit(2);
    global = 30;
    pid_t pid = fork();
    if (pid == 0) {
        if (read(go[0], &c, 1) != 1)
            _exit(3);
        int ok = global == 30 && c == 'w';
        global = 31;
        if (write(back[1], ok ? "y" : "n", 1) != 1)
            _exit(3);
        _exit(ok ? 0 : 1);
    }
    global = 40;
    if (write(go[1], "w", 1) != 1)
        exit(2);
    check(read(back[0], &c, 1) == 1 && c == 'y',
          "the child does not see the parent's later write");
    check(reap(pid) == 0 && global == 40, "nor the parent the child's");
    close(go[0]), close(go[1]), close(back[0]), close(back[1]);
}

/* A private mapping of this program's file: a page copied before the
 * fork and one still the file's; the child writes both. */
static void private_file(void)
{
    int fd = open("/proc/self/exe", O_RDONLY);
    char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        exit(2);
    p[1] = 'X'; /* "\177ELF" becomes "\177XLF": a private copy */
    char first = p[PAGE];
    pid_t pid = fork();
    if (pid == 0) {
        int saw = p[1] == 'X' && p[PAGE] == first;
        p[1] = 'Y';
        p[PAGE] ^= 0x55;
        _exit(saw ? 0 : 1);
    }
    check(reap(pid) == 0 && p[1] == 'X' && p[2] == 'L' && p[PAGE] == first,
          "a private file mapping: the child's writes its own");
    munmap(p, 2 * PAGE);
}

/* Protection changes around the fork keep the copy-on-write. */
static void protections(void)
{
    char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        exit(2);
    memset(p, 'a', 3 * PAGE);
    mprotect(p, PAGE, PROT_READ);
    mprotect(p + PAGE, PAGE, PROT_NONE);
    pid_t pid = fork();
    if (pid == 0) {
        mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE);
        int saw = p[0] == 'a' && p[PAGE] == 'a';
        p[0] = p[PAGE] = 'z';
        madvise(p + 2 * PAGE, PAGE, MADV_DONTNEED); /* zeros again */
        saw &= p[2 * PAGE] == 0;
        munmap(p, PAGE);
        _exit(saw ? 0 : 1);
    }
    check(reap(pid) == 0, "the child unprotected, wrote, dropped, unmapped");
    mprotect(p, 2 * PAGE, PROT_READ | PROT_WRITE);
    check(p[0] == 'a' && p[PAGE] == 'a' && p[2 * PAGE] == 'a',
          "the parent's read-only, PROT_NONE and dropped pages unchanged");
    p[0] = 'q';
    check(p[0] == 'q', "the parent writes its page after the child ended");
    munmap(p, 3 * PAGE);
}

/* read(2) into a page the fork shares: the kernel's write copies it. */
static void kernel_writes(void)
{
    int fds[2];
    if (pipe(fds))
        exit(2);
    memset(bss, 'k', sizeof(bss));
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[1]);
        int ok = read(fds[0], bss + PAGE, 6) == 6 &&
                 !memcmp(bss + PAGE, "kernel", 6);
        _exit(ok ? 0 : 1);
    }
    close(fds[0]);
    check(write(fds[1], "kernel", 6) == 6 && reap(pid) == 0,
          "read(2) into a shared page in the child");
    check(bss[PAGE] == 'k', "not in the parent's page");
    close(fds[1]);
}

/* MAP_SHARED memory is the same in both: anonymous (a page touched
 * before the fork and one not) and a file's. */
static void shared(void)
{
    int *a = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char path[64];
    snprintf(path, sizeof(path), "/tmp/fork-%d", (int)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (a == MAP_FAILED || fd < 0 || ftruncate(fd, PAGE))
        exit(2);
    int *f = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (f == MAP_FAILED)
        exit(2);
    a[0] = 1;
    f[0] = 2;
    pid_t pid = fork();
    if (pid == 0) {
        int saw = a[0] == 1 && a[PAGE / 4] == 0 && f[0] == 2;
        a[0] = 10, a[PAGE / 4] = 11, f[0] = 12;
        while (a[1] != 5) /* the parent's write, seen here */
            sched_yield();
        _exit(saw ? 0 : 1);
    }
    a[1] = 5;
    check(reap(pid) == 0, "the child saw the shared values");
    check(a[0] == 10 && a[PAGE / 4] == 11,
          "MAP_SHARED|MAP_ANONYMOUS: the child's writes seen");
    int v = 0;
    check(f[0] == 12 && pread(fd, &v, sizeof(v), 0) == 4 && v == 12,
          "MAP_SHARED file: the child's write in the file");
    close(fd);
    unlink(path);
    munmap(a, 2 * PAGE);
    munmap(f, PAGE);
}

/* Pipes both ways, a grandchild, getppid. */
static void family(void)
{
    int up[2], down[2];
    if (pipe(up) || pipe(down))
        exit(2);
    pid_t me = getpid(), pid = fork();
    if (pid == 0) {
        char buf[16] = {0};
        if (read(down[0], buf, 5) != 5 || strcmp(buf, "hello"))
            _exit(1);
        pid_t mid = getpid(), g = fork();
        if (g == 0) {
            global = 99;
            _exit(getppid() == mid && write(up[1], "grand", 5) == 5 ? 9 : 1);
        }
        int gs = reap(g);
        _exit(getppid() == me && gs == 9 && global != 99 ? 4 : 1);
    }
    check(write(down[1], "hello", 5) == 5, "to the child through a pipe");
    char buf[8] = {0};
    check(read(up[0], buf, 5) == 5 && !strcmp(buf, "grand"),
          "from the grandchild through a pipe");
    check(reap(pid) == 4, "the grandchild's status through the child's");
    close(up[0]), close(up[1]), close(down[0]), close(down[1]);
}

/* The classic: fork, then execve in the child (its copy goes, the
 * parent's pages are its own again). */
static void fork_exec(void)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        exit(2);
    self[n] = 0;
    global = 50;
    pid_t pid = fork();
    if (pid == 0) {
        execl(self, self, "6", (char *)NULL);
        _exit(1);
    }
    check(reap(pid) == 6, "fork, then execve in the child: its exit code");
    global = 51;
    check(global == 51, "the parent writes its page after the exec");
}

/* clone(SIGCHLD|CLONE_CHILD_SETTID) as a raw call: the tid goes to the
 * child's memory, not the parent's; glibc's and musl's fork agree with
 * gettid. */
static void settid(void)
{
    static pid_t tid;
    tid = 0;
    long pid = syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, 0, &tid, 0);
    if (pid == 0)
        _exit(tid == getpid() && syscall(SYS_gettid) == getpid() ? 0 : 1);
    check(reap(pid) == 0 && tid == 0,
          "CLONE_CHILD_SETTID in the child's memory only");
    pid = fork();
    if (pid == 0)
        _exit(syscall(SYS_gettid) == getpid() ? 0 : 1);
    check(reap(pid) == 0, "the child's tid is its pid");
}

/* A thread keeps writing a counter while the main thread forks: the
 * child's copy never changes (no CPU wrote through an old entry). */
static volatile long counter;
static volatile int stop;

static void *spin(void *arg)
{
    (void)arg;
    while (!stop)
        counter++;
    return NULL;
}

static void busy(int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
        clock_gettime(CLOCK_MONOTONIC, &t);
    while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 <
           ms);
}

static void threaded(void)
{
    pthread_t th;
    if (pthread_create(&th, NULL, spin, NULL))
        exit(2);
    int ok = 1;
    for (int i = 0; i < 20; i++) {
        busy(2);
        pid_t pid = fork();
        if (pid == 0) {
            long a = counter;
            busy(5);
            _exit(counter == a ? 0 : 1);
        }
        ok &= reap(pid) == 0;
    }
    /* The thread still runs in the parent, once it has a CPU (a busy
     * host's may take a while). */
    long before = counter;
    for (int i = 0; i < 5000 && counter == before; i++)
        usleep(1000);
    ok &= counter != before;
    stop = 1;
    pthread_join(th, NULL);
    check(ok, "a thread writing during 20 forks: the children's copy fixed");
}

/* MemFree and this process's resident memory (statm), in kB. */
static void meminfo(long *free, long *rss)
{
    char line[128];
    long size = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &size, rss) != 2)
        exit(2);
    fclose(f);
    *rss *= 4;
    f = fopen("/proc/meminfo", "r");
    while (f && fgets(line, sizeof(line), f))
        sscanf(line, "MemFree: %ld", free);
    if (f)
        fclose(f);
}

static void many(void)
{
    char *heap = malloc(16 * PAGE);
    memset(heap, 1, 16 * PAGE);
    long free0 = 0, rss0 = 0, free1 = 0, rss1 = 0;
    int ok = 1;
    for (int round = 0; round < 2; round++) {
        if (round)
            meminfo(&free0, &rss0);
        for (int i = 0; i < (round ? 200 : 20); i++) {
            pid_t pid = fork();
            if (pid == 0) {
                heap[i % 16 * PAGE] = 2; /* one page copied */
                _exit(i & 0x7f);
            }
            ok &= reap(pid) == (i & 0x7f);
        }
    }
    meminfo(&free1, &rss1);
    check(ok, "200 forks, each exit code through waitpid");
    /* Another kernel's memory comes and goes. */
    char version[256] = {0};
    FILE *f = fopen("/proc/version", "r");
    if (f && fgets(version, sizeof(version), f) && strstr(version, "gorump")) {
        long kept = free0 - free1 - (rss1 - rss0);
        if (kept > 100)
            printf("the kernel kept %ld kB over 200 forks "
                   "(MemFree %ld -> %ld kB, this process %ld -> %ld)\n",
                   kept, free0, free1, rss0, rss1);
        failed |= kept > 100;
    }
    if (f)
        fclose(f);
    free(heap);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return atoi(argv[1]); /* fork_exec's child */
    setvbuf(stdout, NULL, _IONBF, 0);
    child_writes();
    parent_writes();
    private_file();
    protections();
    kernel_writes();
    shared();
    family();
    fork_exec();
    settid();
    threaded();
    many();
    int st;
    check(waitpid(-1, &st, 0) < 0 && errno == ECHILD, "no child left");
    if (!failed)
        printf("SUCCESS\n");
    return failed;
}
