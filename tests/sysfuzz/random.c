/*
 * tests/sysfuzz/random.c — random arguments to every syscall the kernel
 * implements (the list is kernel/sys/syscall.c's table, extracted at build
 * time into sysfuzz_nrs.h).  Arguments are drawn from fds of every kind,
 * pointers (scratch, read-only, unmapped, NULL, kernel, non-canonical),
 * lengths (0, huge, negative) and random flags; everything follows from
 * the seed, so `sysfuzz SEED N -v` replays a run call by call.
 *
 * The fuzzer protects only itself: calls that would end it (exit,
 * rt_sigreturn, clone, fork) are skipped; memory calls get addresses in the
 * sacrificial region or bad ones; fds 0-2 are /dev/null and its own
 * output is a private fd; every fd it can reach is kept O_NONBLOCK and
 * every timeout is tiny or invalid, so no call can wait for long.
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const int nrs[] = {
#include "sysfuzz_nrs.h"
};
#define NNRS ((int)(sizeof(nrs) / sizeof(nrs[0])))
#define OUT_FD 100 /* the fuzzer's own output */
#define FD_SWEEP 64
#define POOL 28

static struct {
    uint64_t rng;
    int pool[POOL];
    int npool;
    FILE *out;
    struct timespec *times; /* a private page of timespecs */
    long calls[512], skipped;
    bool skip[512];
} fz;

void sf_random_skip(int nr)
{
    if (nr >= 0 && nr < 512)
        fz.skip[nr] = true;
}

static uint64_t rnd(void)
{
    /* xorshift64*: small, and the same sequence on every machine */
    fz.rng ^= fz.rng >> 12;
    fz.rng ^= fz.rng << 25;
    fz.rng ^= fz.rng >> 27;
    return fz.rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
    return rnd() % n;
}

static const uint64_t bad_fds[] = {
    (uint64_t)-1, 1000,    4095,           4096,
    1 << 20,      INT_MAX, (uint64_t)-100, 0xffffffff00000003ULL,
};

static uint64_t pick_fd(void)
{
    if (fz.npool && below(8))
        return (uint64_t)fz.pool[below(fz.npool)];
    return bad_fds[below(sizeof(bad_fds) / sizeof(bad_fds[0]))];
}

/* An address no call can map: the kernel's, non-canonical, or the top of
 * the address space. */
static uint64_t pick_unmappable(void)
{
    switch (below(4)) {
    case 0:
        return SF_KERNEL_ADDR + below(1 << 24);
    case 1:
        return SF_NONCANON_LO + below(SF_PAGE);
    case 2:
        return SF_NONCANON_HI;
    default:
        return (uint64_t)-1 - below(SF_PAGE);
    }
}

static uint64_t pick_bad_ptr(void)
{
    switch (below(8)) {
    case 0:
        return 0;
    case 1:
        return (uint64_t)sf_mem.ro + below(SF_PAGE);
    case 2:
        return (uint64_t)sf_mem.unmapped + below(SF_PAGE);
    case 7:
        return SF_NONCANON_LO - 1 - below(16);
    default:
        return pick_unmappable();
    }
}

static uint64_t pick_victim(void)
{
    if (below(4) == 0)
        return pick_bad_ptr();
    return (uint64_t)sf_mem.victim + below(SF_VICTIM / SF_PAGE) * SF_PAGE +
           (below(8) ? 0 : below(SF_PAGE));
}

/* An address and a length for a memory call: inside the sacrificial
 * region, or at an address that maps nothing of the fuzzer's whatever the
 * length (never low memory, where its program lives). */
static void pick_range(uint64_t *addr, uint64_t *len)
{
    uint64_t v = (uint64_t)sf_mem.victim;
    *addr = pick_victim();
    if (*addr >= v && *addr < v + SF_VICTIM)
        *len = below(v + SF_VICTIM - *addr + 1);
    else if (*addr < SF_NONCANON_LO - SF_VICTIM)
        *addr = SF_KERNEL_ADDR;
}

static uint64_t pick_ptr(void)
{
    if (below(3))
        return (uint64_t)sf_mem.scratch + below(SF_SCRATCH) / 8 * 8;
    if (below(4) == 0) /* runs off the end of the scratch area */
        return (uint64_t)sf_mem.scratch + SF_SCRATCH - 1 - below(64);
    return pick_bad_ptr();
}

static uint64_t pick_len(void)
{
    static const uint64_t v[] = {0,
                                 1,
                                 2,
                                 4,
                                 8,
                                 16,
                                 64,
                                 128,
                                 4096,
                                 65536,
                                 (uint64_t)-1,
                                 (uint64_t)LONG_MAX,
                                 1UL << 31,
                                 1UL << 32,
                                 (uint64_t)INT_MAX,
                                 (uint64_t)INT_MIN};
    if (below(4) == 0)
        return below(256);
    return v[below(sizeof(v) / sizeof(v[0]))];
}

static uint64_t pick_flags(void)
{
    switch (below(4)) {
    case 0:
        return 0;
    case 1:
        return 1UL << below(32);
    case 2:
        return rnd() & rnd() & 0xffffffff;
    default:
        return rnd();
    }
}

static uint64_t pick_any(void)
{
    switch (below(5)) {
    case 0:
        return pick_fd();
    case 1:
        return pick_ptr();
    case 2:
        return pick_len();
    case 3:
        return pick_flags();
    default:
        return below(64);
    }
}

/* One of V[0..N) in the fuzzer's own memory, or (one time in four) a
 * pointer that cannot be read; never NULL. */
static uint64_t pick_ts(const struct timespec *v, int n)
{
    /* Only addresses no call can map: not NULL ("forever" to ppoll and
     * futex), nor the read-only or the unmapped page, which random calls
     * may have rewritten or mapped (an mmap without MAP_FIXED fills the
     * hole), so that a timeout read there could be hours long: seed
     * 3771573344 slept in nanosleep, the guest idle, until the 300 s
     * limit. */
    if (below(4) == 0)
        return pick_unmappable();
    int i = (int)below((uint64_t)n);
    fz.times[i] = v[i];
    return (uint64_t)&fz.times[i];
}

/* A timeout that cannot make a call wait: tiny, invalid or unreadable
 * (never NULL, which means "forever" to ppoll and futex). */
static uint64_t pick_time(void)
{
    static const struct timespec v[] = {
        {0, 0},
        {0, 1000},
        {-1, 0},
        {0, -1},
        {0, 1000000000},
        {LONG_MIN, 0},
        {LONG_MAX, LONG_MAX},
        {0, LONG_MIN},
    };
    return pick_ts(v, sizeof(v) / sizeof(v[0]));
}

/* The same for select's struct timeval, whose microseconds past a second
 * are carried (so {0, 1e9} would wait 1000 s): never a long wait either. */
static uint64_t pick_timeval(void)
{
    static const struct timespec v[] = {
        {0, 0},
        {0, 1000},
        {-1, 0},
        {0, -1},
        {LONG_MIN, 0},
        {LONG_MAX, LONG_MAX}, /* the carry wraps negative: EINVAL */
        {0, LONG_MIN},
    };
    return pick_ts(v, sizeof(v) / sizeof(v[0]));
}

static void fill_scratch(void)
{
    uint64_t *w = (uint64_t *)sf_mem.scratch;
    for (size_t i = 0; i < SF_SCRATCH / 8; i++)
        w[i] = below(4) ? pick_any() : 0;
}

static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(fz.out, fmt, ap);
    va_end(ap);
    fflush(fz.out);
}

/* Every fd below FD_SWEEP non-blocking (a random fcntl or ioctl may have
 * cleared it; a random call may have made new ones). */
static void sweep(void)
{
    for (int fd = 3; fd < FD_SWEEP; fd++) {
        long fl = sf_sys(SYS_fcntl, fd, F_GETFL, 0, 0, 0, 0);
        if (fl >= 0 && !(fl & O_NONBLOCK))
            sf_sys(SYS_fcntl, fd, F_SETFL, fl | O_NONBLOCK, 0, 0, 0);
    }
}

/* Closes everything but the output and remakes one fd of each kind. */
static void pool_rebuild(void)
{
    for (int fd = 3; fd < 4096; fd++)
        if (fd != OUT_FD)
            close(fd);
    if (chdir(sf_dir))
        out("# chdir %s failed\n", sf_dir);
    fz.npool = 0;
    for (int k = 0; k < sf_kind_count() && fz.npool < POOL; k++) {
        struct sf_fd f;
        if (!strcmp(sf_kind_name(k), "console") || sf_kind_open(k, &f))
            continue;
        if (f.fd >= 0 && f.fd < FD_SWEEP)
            fz.pool[fz.npool++] = f.fd;
    }
    sweep();
}

static bool is_wait_op(uint64_t op)
{
    op &= 0x7f;
    return op == 0 || op == 6 || op == 9 || op == 11 || op == 13;
}

/* Adjusts the arguments of the calls that could end or stall the fuzzer;
 * false: skip the call. */
static bool tame(long nr, uint64_t a[6])
{
    static const uint64_t safe_sigs[] = {0,  SIGURG,       SIGWINCH, SIGCHLD,
                                         65, (uint64_t)-1, 1000};
    switch (nr) {
    case SYS_exit:
    case SYS_exit_group:
    case SYS_rt_sigreturn:
    case SYS_clone:
    case SYS_clone3:
    case SYS_fork: /* would start a second fuzzer */
    case SYS_execve:
    case SYS_execveat:
    case SYS_pause:
    case SYS_rt_sigsuspend:
    case SYS_vfork:
        return false;
    case SYS_close:
    case SYS_dup2:
    case SYS_dup3:
        a[0] = pick_fd();
        a[1] = pick_fd();
        return true;
    case SYS_mmap:
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_madvise:
    case SYS_msync:
    case SYS_mlock:
    case SYS_munlock:
        pick_range(&a[0], &a[1]);
        return true;
    case SYS_mremap:
        pick_range(&a[0], &a[1]);
        pick_range(&a[4], &a[2]);
        return true;
    case SYS_brk:
        /* Not the read-only or the unmapped page: a break there made a
         * heap of 127 TiB, which the kernel grants (it overcommits
         * always, docs/ARCHITECTURE.md), and one later read(2) into it
         * filled all RAM (seed 950067516, killed for out of memory). */
        a[0] = below(2) ? 0 : pick_unmappable();
        return true;
    case SYS_arch_prctl:
        return a[0] != 0x1002; /* ARCH_SET_FS: the C library's TLS */
    case SYS_rt_sigaction: {
        static const uint64_t ign[4] = {1 /* SIG_IGN */, 0, 0, 0};
        a[1] = below(3) == 0 ? (uint64_t)ign : below(2) ? 0 : pick_bad_ptr();
        return true;
    }
    case SYS_kill:
    case SYS_tkill:
        a[1] = safe_sigs[below(7)];
        return true;
    case SYS_tgkill:
        a[2] = safe_sigs[below(7)];
        return true;
    case SYS_poll:
        a[2] = below(2);
        return true;
    case SYS_epoll_wait:
    case SYS_epoll_pwait:
        a[3] = below(2);
        return true;
    case SYS_ppoll:
    case SYS_clock_nanosleep:
        a[2] = pick_time();
        return true;
    case SYS_nanosleep:
        a[0] = pick_time();
        return true;
    case SYS_select:
        a[4] = pick_timeval();
        return true;
    case SYS_pselect6:
    case SYS_epoll_pwait2:
        a[4] = pick_time();
        a[3] = nr == SYS_epoll_pwait2 ? pick_time() : a[3];
        return true;
    case SYS_rt_sigtimedwait:
        a[2] = pick_time();
        return true;
    case SYS_recvmmsg:
        a[4] = pick_time();
        return true;
    case SYS_mknod: /* a FIFO: a later open of it would wait (fifo(7)) */
        a[1] = (a[1] & 0170000) == 0010000 ? a[1] & ~0170000UL : a[1];
        return true;
    case SYS_mknodat:
        a[2] = (a[2] & 0170000) == 0010000 ? a[2] & ~0170000UL : a[2];
        return true;
    case SYS_futex:
        if (is_wait_op(a[1]))
            a[3] = pick_time();
        return true;
    }
    return true;
}

static bool makes_fds(long nr)
{
    switch (nr) {
    case SYS_open:
    case SYS_openat:
    case SYS_creat:
    case SYS_socket:
    case SYS_socketpair:
    case SYS_accept:
    case SYS_accept4:
    case SYS_pipe:
    case SYS_pipe2:
    case SYS_eventfd:
    case SYS_eventfd2:
    case SYS_epoll_create:
    case SYS_epoll_create1:
    case SYS_inotify_init:
    case SYS_inotify_init1:
    case SYS_dup:
    case SYS_dup2:
    case SYS_dup3:
    case SYS_fcntl:
    case SYS_ioctl:
    case SYS_recvmsg:
    case SYS_recvmmsg:
        return true;
    }
    return false;
}

static void one(long i, bool verbose)
{
    long nr = nrs[below(NNRS)];
    uint64_t a[6];
    for (int j = 0; j < 6; j++)
        a[j] = pick_any();
    if (below(2))
        a[0] = pick_fd();
    if (fz.skip[nr] || !tame(nr, a)) {
        fz.skipped++;
        return;
    }
    if (verbose)
        out("%ld: %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", i, nr, a[0], a[1],
            a[2], a[3], a[4], a[5]);
    long r = sf_sys(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (verbose)
        out("  = %s (%ld)\n", sf_result_name(r), r);
    fz.calls[nr]++;
    if (nr == SYS_mmap || nr == SYS_mremap) {
        uint64_t v = (uint64_t)sf_mem.victim;
        if (r >= 0 && ((uint64_t)r < v || (uint64_t)r >= v + SF_VICTIM))
            sf_sys(SYS_munmap, r, nr == SYS_mmap ? a[1] : a[2], 0, 0, 0, 0);
    }
    if (makes_fds(nr)) {
        if (r >= FD_SWEEP && r < 4096 && r != OUT_FD)
            close((int)r);
        sweep();
    }
}

int sf_random(uint64_t seed, long iterations, int verbose)
{
    int o = dup2(1, OUT_FD);
    fz.out = o < 0 ? NULL : fdopen(o, "w");
    if (!fz.out) {
        perror("sysfuzz: output");
        return 2;
    }
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++)
        dup2(null, fd);
    if (null > 2)
        close(null);
    static struct timespec times[16];
    fz.times = times;
    fz.rng = seed * 2654435761ULL + 0x9E3779B97F4A7C15ULL;
    out("seed: %lu\n", (unsigned long)seed);
    out("syscalls: %d implemented\n", NNRS);
    for (long i = 0; i < iterations; i++) {
        if (i % 1000 == 0)
            pool_rebuild();
        if (i % 64 == 0)
            fill_scratch();
        one(i, verbose);
    }
    int distinct = 0;
    for (int n = 0; n < 512; n++)
        distinct += fz.calls[n] != 0;
    out("sysfuzz: seed %lu: %ld iterations, %d distinct syscalls called, "
        "%ld skipped, all returned\n",
        (unsigned long)seed, iterations, distinct, fz.skipped);
    return 0;
}
