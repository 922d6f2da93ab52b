/*
 * arch/x86_64/vdso/vdso.c — the virtual shared object the kernel maps into
 * every program (AT_SYSINFO_EHDR): clock_gettime, gettimeofday and time
 * without a system call, as Linux's vDSO gives them, since Go's runtime and
 * C libraries read the clock often (every timer, every scheduling round)
 * and a system call costs a kernel entry and, with more than one CPU, the
 * kernel lock.  User-mode code: built as its own shared object (Makefile,
 * vdso.lds), not linked into the kernel, which embeds the file whole
 * (vdso_blob.S).  Clocks it does not compute (the CPU-time ones, unknown
 * ids) go to the system call, whose errors are Linux's.
 */
#include <stddef.h>
#include <stdint.h>

#include "vdso.h"

/* The data page, one page below the image (vdso.lds): reached
 * RIP-relative, so wherever the kernel maps the pair. */
extern const volatile struct vdso_data vdso_data_page
    __attribute__((visibility("hidden")));

struct k_timespec {
    int64_t tv_sec, tv_nsec;
};
struct k_timeval {
    int64_t tv_sec, tv_usec;
};

enum {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7,
    CLOCK_TAI = 11,
};

enum { SYS_gettimeofday = 96, SYS_time = 201, SYS_clock_gettime = 228 };

static long sys2(long nr, long a0, long a1)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(nr), "D"(a0), "S"(a1)
                     : "rcx", "r11", "memory");
    return r;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* CLOCK_MONOTONIC in ns, as clock_mono_ns. */
static uint64_t mono_ns(const volatile struct vdso_data *d)
{
    return (uint64_t)(((unsigned __int128)(rdtsc() - d->tsc0) * d->mult) >> 32);
}

int __vdso_clock_gettime(int clock, struct k_timespec *ts);
int __vdso_clock_gettime(int clock, struct k_timespec *ts)
{
    const volatile struct vdso_data *d = &vdso_data_page;
    uint64_t ns;
    if (d->version != VDSO_DATA_VERSION)
        return (int)sys2(SYS_clock_gettime, clock, (long)ts);
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_TAI:
        ns = d->real_base + mono_ns(d);
        break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        ns = mono_ns(d);
        break;
    default:
        return (int)sys2(SYS_clock_gettime, clock, (long)ts);
    }
    /* A bad ts faults here, in the program, as with Linux's vDSO. */
    ts->tv_sec = (int64_t)(ns / 1000000000u);
    ts->tv_nsec = (int64_t)(ns % 1000000000u);
    return 0;
}

int __vdso_gettimeofday(struct k_timeval *tv, void *tz);
int __vdso_gettimeofday(struct k_timeval *tv, void *tz)
{
    const volatile struct vdso_data *d = &vdso_data_page;
    if (d->version != VDSO_DATA_VERSION || tz)
        return (int)sys2(SYS_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        uint64_t ns = d->real_base + mono_ns(d);
        tv->tv_sec = (int64_t)(ns / 1000000000u);
        tv->tv_usec = (int64_t)(ns % 1000000000u / 1000u);
    }
    return 0;
}

int64_t __vdso_time(int64_t *t);
int64_t __vdso_time(int64_t *t)
{
    const volatile struct vdso_data *d = &vdso_data_page;
    if (d->version != VDSO_DATA_VERSION)
        return sys2(SYS_time, (long)t, 0);
    int64_t s = (int64_t)((d->real_base + mono_ns(d)) / 1000000000u);
    if (t)
        *t = s;
    return s;
}

/* The unprefixed names, as Linux's vDSO also exports them. */
int clock_gettime(int clock, struct k_timespec *ts)
    __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct k_timeval *tv, void *tz)
    __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *t) __attribute__((weak, alias("__vdso_time")));
