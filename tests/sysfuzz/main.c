/*
 * tests/sysfuzz/main.c — the fuzzer's entry point, its memory and its
 * directory.  See sysfuzz.h for the modes.  Output is line-oriented:
 * "seed: N" first, a summary last; the harness checks both and that the
 * kernel printed no panic.
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

struct sf_mem sf_mem;
char sf_dir[64];

long sf_sys(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static void *map(size_t len, int prot)
{
    void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("sysfuzz: mmap");
        exit(2);
    }
    return p;
}

void sf_mem_init(void)
{
    sf_mem.scratch = map(SF_SCRATCH, PROT_READ | PROT_WRITE);
    sf_mem.ro = map(SF_PAGE, PROT_READ | PROT_WRITE);
    memset(sf_mem.ro, 'r', SF_PAGE);
    mprotect(sf_mem.ro, SF_PAGE, PROT_READ);
    sf_mem.unmapped = map(SF_PAGE, PROT_READ);
    munmap(sf_mem.unmapped, SF_PAGE);
    sf_mem.victim = map(SF_VICTIM, PROT_READ | PROT_WRITE);
}

void sf_dir_init(void)
{
    mkdir("/tmp", 01777);
    snprintf(sf_dir, sizeof(sf_dir), "/tmp/sysfuzz.%d", (int)getpid());
    if (mkdir(sf_dir, 0755) && errno != EEXIST) {
        perror("sysfuzz: mkdir");
        exit(2);
    }
    if (chdir(sf_dir)) {
        perror("sysfuzz: chdir");
        exit(2);
    }
    FILE *f = fopen("file", "w");
    if (!f) {
        perror("sysfuzz: file");
        exit(2);
    }
    for (int i = 0; i < 10; i++)
        fputs("0123456789", f);
    fclose(f);
    mkfifo("fifo", 0644);
    mkdir("sub", 0755);
    symlink("file", "link");
}

const char *sf_result_name(long r)
{
    if (r >= 0 || r < -4095)
        return "ok";
    const char *n = strerrorname_np((int)-r);
    return n ? n : "E?";
}

static int usage(void)
{
    fprintf(stderr, "usage: sysfuzz matrix [-x CALL:KIND]... |"
                    " sysfuzz SEED|time ITERATIONS [-v] [-s NR]... |"
                    " sysfuzz signal CASE\n");
    return 2;
}

/* Random arguments (and the matrix's fchmod/fchown/ftruncate on /dev/null
 * and friends) are for a guest: on a host, as root, they change the host's
 * files.  Outside gorump they run only where SYSFUZZ_NATIVE=1 says the
 * caller has set up a throwaway place (tests/sysfuzz/compare.sh's
 * namespace). */
static int native_refused(void)
{
    struct utsname u;
    if (uname(&u) == 0 && strstr(u.release, "gorump"))
        return 0;
    const char *ok = getenv("SYSFUZZ_NATIVE");
    if (ok && !strcmp(ok, "1"))
        return 0;
    fprintf(stderr,
            "sysfuzz: not inside gorump (kernel %s): this mode "
            "would change the host's files; run it with gorump run, "
            "or set SYSFUZZ_NATIVE=1 in a throwaway namespace\n",
            u.release);
    return 1;
}

int main(int argc, char **argv)
{
    /* A write to a closed pipe or socket must come back as EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && !strcmp(argv[1], "signal"))
        return sf_signal_case(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "regress") && native_refused())
        return 2;
    sf_mem_init();
    sf_dir_init();
    if (argc == 2 && !strcmp(argv[1], "regress"))
        return sf_regress();
    if (argc >= 2 && !strcmp(argv[1], "matrix"))
        return sf_matrix(argc - 2, argv + 2);
    if (argc < 3)
        return usage();
    int verbose = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            sf_random_skip(atoi(argv[++i]));
        else
            return usage();
    }
    uint64_t seed = strtoull(argv[1], NULL, 0);
    if (!strcmp(argv[1], "time"))
        seed = (uint64_t)time(NULL);
    return sf_random(seed, strtol(argv[2], NULL, 0), verbose);
}
