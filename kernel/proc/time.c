/*
 * proc/time.c — the one conversion between the program's times (struct
 * timespec, struct timeval, milliseconds) and the kernel's nanoseconds.
 * Every timeout goes through here, so none can wrap: a time too large for
 * 64 bits of nanoseconds saturates to TIME_FOREVER (about 292 years),
 * which a sleep never reaches, and a deadline is never earlier than now.
 */
#include "proc/proc.h"
#include "mm/mm.h"
#include "sys/abi.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > TIME_FOREVER - b ? TIME_FOREVER : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t m)
{
    return a > TIME_FOREVER / m ? TIME_FOREVER : a * m;
}

long time_ts_to_ns(const struct linux_timespec *ts, uint64_t *ns)
{
    /* man 2 nanosleep, ppoll, futex: EINVAL for a negative second count
     * or a nanosecond count outside [0, 999999999]. */
    if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NSEC)
        return -EINVAL;
    *ns = sat_add(sat_mul((uint64_t)ts->tv_sec, NSEC), (uint64_t)ts->tv_nsec);
    return 0;
}

long time_ts_from_user(uint64_t uts, uint64_t *ns)
{
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    return time_ts_to_ns(&ts, ns);
}

long time_tv_to_ns(const struct linux_timeval *tv, uint64_t *ns)
{
    if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec >= 1000000)
        return -EINVAL;
    *ns = sat_add(sat_mul((uint64_t)tv->tv_sec, NSEC),
                  (uint64_t)tv->tv_usec * 1000);
    return 0;
}

uint64_t time_ms_to_ns(uint64_t ms)
{
    return sat_mul(ms, 1000000);
}

uint64_t time_deadline(uint64_t ns)
{
    return sat_add(clock_mono_ns(), ns);
}

struct linux_timespec time_ns_to_ts(uint64_t ns)
{
    return (struct linux_timespec){(int64_t)(ns / NSEC), (int64_t)(ns % NSEC)};
}

struct linux_timeval time_ns_to_tv(uint64_t ns)
{
    return (struct linux_timeval){(int64_t)(ns / NSEC),
                                  (int64_t)(ns % NSEC / 1000)};
}
