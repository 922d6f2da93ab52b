/*
 * sys/sys_proc.c — the process's place among processes: its group and
 * session, and its scheduling and I/O priorities.  There is one process,
 * pid 1 (see sys_getpid), started as a container's init is: the leader of
 * its own group and session (pgid = sid = 1), so setsid and setpgid are
 * EPERM, as for any session leader.  It runs as root, so it may lower its
 * nice value; the values are recorded and reported, not acted on (one
 * process has nobody to yield to).
 */
#include "sys/syscall.h"

#define SELF 1
#define PRIO_PROCESS 0
#define PRIO_USER 2
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_USER 3
#define IOPRIO_CLASS_IDLE 3

static struct {
    int nice;   /* -20..19 */
    int ioprio; /* class << 13 | data; 0: IOPRIO_CLASS_NONE */
} prio;

/* Does (which, who) name this process?  0, -EINVAL or -ESRCH.  PRIO_USER
 * takes a uid, and root's (0) is the only one with a process. */
static long is_self(long which, long who, long first, long last)
{
    if (which < first || which > last)
        return -EINVAL;
    if (who == 0 || who == (which == last ? 0 : SELF))
        return 0;
    return -ESRCH;
}

/* getpriority(which, who): 20 - nice, so the result is never negative
 * (man 2 getpriority, "C library/kernel differences"). */
SYS(getpriority)
{
    long err = is_self((int)a0, (int)a1, PRIO_PROCESS, PRIO_USER);
    return err ? err : 20 - prio.nice;
}

SYS(setpriority)
{
    long err = is_self((int)a0, (int)a1, PRIO_PROCESS, PRIO_USER);
    if (err)
        return err;
    prio.nice = (int)MAX(-20L, MIN(19L, (long)(int)a2));
    return 0;
}

/* ioprio_get(which, who) and ioprio_set(which, who, ioprio) */
SYS(ioprio_get)
{
    long err = is_self((int)a0, (int)a1, IOPRIO_WHO_PROCESS, IOPRIO_WHO_USER);
    return err ? err : prio.ioprio;
}

SYS(ioprio_set)
{
    int class = ((int)a2 >> 13) & 7, level = (int)a2 & 7;
    long err = is_self((int)a0, (int)a1, IOPRIO_WHO_PROCESS, IOPRIO_WHO_USER);
    if (err)
        return err;
    /* block/ioprio.c's ioprio_check_cap: no class beyond IDLE, and no
     * level with IOPRIO_CLASS_NONE. */
    if (class > IOPRIO_CLASS_IDLE || (class == 0 && level))
        return -EINVAL;
    prio.ioprio = (int)a2 & 0xffff;
    return 0;
}

SYS(getpgid)
{
    return (int)a0 == 0 || (int)a0 == SELF ? SELF : -ESRCH;
}

SYS(getsid)
{
    return sys_getpgid(a0, a1, a2, a3, a4, a5);
}

SYS(getpgrp)
{
    return SELF;
}

SYS(setsid)
{
    return -EPERM; /* already a process group leader */
}

/* setpgid(pid, pgid) in kernel/sys.c's order. */
SYS(setpgid)
{
    if ((int)a1 < 0)
        return -EINVAL;
    if ((int)a0 != 0 && (int)a0 != SELF)
        return -ESRCH;
    return -EPERM; /* a session leader */
}
