/*
 * sys/sys_misc.c — the rest: uname, getrandom, resource limits, user ids
 * (the program runs as root), sysinfo, prctl and umask.
 */
#include "sys/syscall.h"
#include "fs/fs.h"
#include "mm/mm.h"

#define RLIM_INFINITY UINT64_MAX
#define RLIMIT_NLIMITS 16
#define RLIMIT_STACK 3
#define RLIMIT_NOFILE 7
#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

static struct {
    struct linux_rlimit limits[RLIMIT_NLIMITS];
    bool ready;
} misc;

SYS(uname)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct linux_utsname u;
    memset(&u, 0, sizeof(u));
    memcpy(u.sysname, "Linux", 6);
    memcpy(u.nodename, "gorump", 7);
    memcpy(u.release, "6.1.0-gorump", 13);
    memcpy(u.version, "#1 gorump unikernel", 20);
    memcpy(u.machine, "x86_64", 7);
    memcpy(u.domainname, "(none)", 7);
    return copy_to_user(a0, &u, sizeof(u));
}

SYS(getrandom)
{
    (void)a3, (void)a4, (void)a5;
    if (a2 & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
        return -EINVAL;
    if ((a2 & GRND_RANDOM) && (a2 & GRND_INSECURE))
        return -EINVAL;
    if (a1 < 0)
        return -EINVAL;
    size_t n = MIN((size_t)a1, 33554431u), done = 0;
    uint8_t buf[256];
    while (done < n) {
        size_t c = MIN(n - done, sizeof(buf));
        random_bytes(buf, c);
        if (copy_to_user(a0 + done, buf, c))
            return done ? (long)done : -EFAULT;
        done += c;
    }
    return n;
}

static struct linux_rlimit *limit(long res)
{
    if (!misc.ready) {
        for (int i = 0; i < RLIMIT_NLIMITS; i++)
            misc.limits[i] =
                (struct linux_rlimit){RLIM_INFINITY, RLIM_INFINITY};
        misc.limits[RLIMIT_STACK].rlim_cur = 8 << 20;
        /* Linux's defaults: 1024 soft, 4096 hard (Go raises the soft
         * limit to the hard one at start). */
        misc.limits[RLIMIT_NOFILE] = (struct linux_rlimit){1024, 4096};
        misc.ready = true;
    }
    return res >= 0 && res < RLIMIT_NLIMITS ? &misc.limits[res] : NULL;
}

/* prlimit64(pid, resource, new, old) */
SYS(prlimit64)
{
    (void)a4, (void)a5;
    struct linux_rlimit *l = limit(a1), n;
    if (!l)
        return -EINVAL;
    if (a0 != 0 && a0 != 1)
        return -ESRCH;
    if (a2) {
        if (copy_from_user(&n, a2, sizeof(n)))
            return -EFAULT;
        if (n.rlim_cur > n.rlim_max)
            return -EINVAL;
        if (a1 == RLIMIT_NOFILE && n.rlim_max > FD_MAX)
            return -EPERM;
    }
    if (a3 && copy_to_user(a3, l, sizeof(*l)))
        return -EFAULT;
    if (a2) {
        *l = n;
        if (a1 == RLIMIT_NOFILE)
            fd_set_limit((int)MIN(n.rlim_cur, (uint64_t)FD_MAX));
    }
    return 0;
}

SYS(getrlimit)
{
    return sys_prlimit64(0, a0, 0, a1, a4, a5);
}

SYS(setrlimit)
{
    return sys_prlimit64(0, a0, a1, 0, a4, a5);
}

/* getuid, getgid, geteuid and getegid: the program runs as root. */
SYS(getuid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return 0;
}

SYS(sysinfo)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct linux_sysinfo si;
    memset(&si, 0, sizeof(si));
    si.uptime = (int64_t)(clock_mono_ns() / 1000000000);
    si.totalram = pmem_total_pages() * PAGE_SIZE;
    si.freeram = pmem_free_pages() * PAGE_SIZE;
    si.procs = (uint16_t)proc_nthreads();
    uint64_t loads[3];
    sched_loadavg(loads);
    for (int i = 0; i < 3; i++)
        si.loads[i] = loads[i];
    si.mem_unit = 1;
    return copy_to_user(a0, &si, sizeof(si));
}

SYS(prctl)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    enum { GET_KEEPCAPS = 7, SET_KEEPCAPS = 8, SET_NAME = 15, GET_NAME = 16 };
    char *name = current()->proc->comm; /* the process's: /proc/PID/comm */
    static bool keepcaps; /* no capability is ever dropped: only kept */
    switch (a0) {
    case GET_KEEPCAPS:
        return keepcaps;
    case SET_KEEPCAPS:
        if (a1 > 1)
            return -EINVAL;
        keepcaps = a1;
        return 0;
    case SET_NAME: {
        /* man 2 prctl: at most 15 bytes are read; the name is kept NUL
         * padded, so GET_NAME's 16 bytes never carry stale bytes. */
        char buf[16] = {0};
        long n = strncpy_from_user(buf, a1, sizeof(buf) - 1);
        if (n == -EFAULT)
            return n;
        if (n < 0 && copy_from_user(buf, a1, sizeof(buf) - 1))
            return -EFAULT;
        memcpy(name, buf, sizeof(buf));
        return 0;
    }
    case GET_NAME:
        return copy_to_user(a1, name, sizeof(current()->proc->comm));
    default:
        return -EINVAL;
    }
}

SYS(umask)
{
    return vfs_umask((unsigned)a0);
}

/* setuid(2), setgid(2): root's are the only credentials there are, so
 * becoming 0 (which a process is) succeeds and another id is EPERM. */
SYS(setuid)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    if ((uint32_t)a0 == UINT32_MAX)
        return -EINVAL;
    return (uint32_t)a0 == 0 ? 0 : -EPERM;
}

/* setgroups(size, list): only root's group, 0, can be set (or none). */
SYS(setgroups)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    if (a0 < 0 || a0 > 65536)
        return -EINVAL;
    for (long i = 0; i < a0; i++) {
        uint32_t g;
        if (get_user_u32(&g, a1 + 4 * (uint64_t)i))
            return -EFAULT;
        if (g != 0)
            return -EPERM;
    }
    return 0;
}

/* getgroups(size, list): root's supplementary groups are just 0. */
SYS(getgroups)
{
    if (a0 < 0)
        return -EINVAL;
    if (a0 == 0)
        return 1;
    uint32_t g = 0;
    return copy_to_user(a1, &g, sizeof(g)) ? -EFAULT : 1;
}
