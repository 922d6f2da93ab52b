/*
 * sys/sys_time.c — clocks and sleeping.  Every clock counts from the TSC
 * (arch/x86_64/clock.c); CLOCK_REALTIME adds the RTC's time at boot.
 */
#include "sys/syscall.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "sys/abi.h"

#define TIMER_ABSTIME 1

enum {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_PROCESS_CPUTIME_ID = 2,
    CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7,
    CLOCK_REALTIME_ALARM = 8,
    CLOCK_BOOTTIME_ALARM = 9,
    CLOCK_TAI = 11,
};

static long clock_now(long id, uint64_t *ns)
{
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
        *ns = clock_real_ns();
        return 0;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
        *ns = clock_mono_ns();
        return 0;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID: {
        struct thread *t = current();
        *ns = t->cpu_ns + clock_tsc_to_ns(rdtsc() - t->run_start);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

SYS(clock_gettime)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint64_t ns;
    long r = clock_now(a0, &ns);
    if (r)
        return r;
    struct linux_timespec ts = time_ns_to_ts(ns);
    return copy_to_user(a1, &ts, sizeof(ts));
}

SYS(clock_getres)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint64_t ns;
    long r = clock_now(a0, &ns);
    if (r || !a1)
        return r;
    struct linux_timespec ts = {0, 1};
    return copy_to_user(a1, &ts, sizeof(ts));
}

SYS(gettimeofday)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a1) {
        uint64_t tz = 0;
        if (copy_to_user(a1, &tz, sizeof(tz)))
            return -EFAULT;
    }
    if (!a0)
        return 0;
    uint64_t ns = clock_real_ns();
    struct linux_timeval tv = time_ns_to_tv(ns);
    return copy_to_user(a0, &tv, sizeof(tv));
}

SYS(time)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    int64_t t = (int64_t)(clock_real_ns() / NSEC);
    if (a0 && copy_to_user(a0, &t, sizeof(t)))
        return -EFAULT;
    return t;
}

/* Sleeps until the monotonic deadline; on a signal writes what is left. */
static long sleep_until(uint64_t deadline, uint64_t urem)
{
    int r = sched_sleep(NULL, deadline ? deadline : 1);
    if (r != -EINTR)
        return 0;
    if (urem) {
        uint64_t now = clock_mono_ns();
        struct linux_timespec ts =
            time_ns_to_ts(deadline > now ? deadline - now : 0);
        if (copy_to_user(urem, &ts, sizeof(ts)))
            return -EFAULT;
    }
    return -EINTR;
}

SYS(nanosleep)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint64_t ns;
    long r = time_ts_from_user(a0, &ns);
    if (r)
        return r;
    return sleep_until(time_deadline(ns), a1);
}

SYS(clock_nanosleep)
{
    (void)a4, (void)a5;
    uint64_t ns, now;
    if (a0 == CLOCK_THREAD_CPUTIME_ID || a0 == CLOCK_PROCESS_CPUTIME_ID)
        return -EINVAL;
    long r = clock_now(a0, &now);
    if (r)
        return r;
    r = time_ts_from_user(a2, &ns);
    if (r)
        return r;
    if (a1 & TIMER_ABSTIME) {
        uint64_t left = ns > now ? ns - now : 0;
        return sleep_until(time_deadline(left), 0);
    }
    return sleep_until(time_deadline(ns), a3);
}
