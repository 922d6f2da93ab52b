/*
 * sys/sys_proc.c — the process's place among processes: its group and
 * session (struct proc's pgid and sid; the first process, started as a
 * container's init is, leads group and session 1, and a child starts in
 * its parent's), and its scheduling and I/O priorities.  It runs as root,
 * so it may lower its nice value; the values are one for all processes,
 * recorded and reported, not acted on.
 */
#include "sys/syscall.h"
#include "proc/proc.h"

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

/* The process pid names (0: the caller), zombies included, or NULL. */
static struct proc *proc_or_self(int pid)
{
    return pid == 0 ? current()->proc : proc_find(pid);
}

SYS(getpgid)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct proc *p = proc_or_self((int)a0);
    return p ? p->pgid : -ESRCH;
}

SYS(getsid)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct proc *p = proc_or_self((int)a0);
    return p ? p->sid : -ESRCH;
}

SYS(getpgrp)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    return current()->proc->pgid;
}

/* Is there a process in group *arg (and, arg[1] non-zero, in session
 * arg[1])? */
static int in_group(struct proc *p, void *arg)
{
    const int *g = arg;
    return p->pgid == g[0] && (!g[1] || p->sid == g[1]);
}

/* setsid: the caller leads a new session and group; EPERM when a group
 * of its pid exists (it leads one already: man 2 setsid). */
SYS(setsid)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct proc *p = current()->proc;
    int g[2] = {p->pid, 0};
    if (proc_each(in_group, g))
        return -EPERM;
    p->sid = p->pgid = p->pid;
    return p->sid;
}

/* setpgid(pid, pgid) in kernel/sys.c's order: the caller or a child of
 * its (ESRCH), in its session (EPERM) that has not exec'd (EACCES), not a
 * session leader (EPERM), into its own group or an existing one of the
 * caller's session (EPERM). */
SYS(setpgid)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct proc *me = current()->proc;
    int pid = (int)a0 ? (int)a0 : me->pid, pgid = (int)a1 ? (int)a1 : pid;
    if (pgid < 0)
        return -EINVAL;
    struct proc *p = proc_find(pid);
    if (!p || (p != me && p->parent != me))
        return -ESRCH;
    if (p != me && p->sid != me->sid)
        return -EPERM;
    if (p != me && p->execed)
        return -EACCES;
    if (p->sid == p->pid)
        return -EPERM;
    int g[2] = {pgid, me->sid};
    if (pgid != pid && !proc_each(in_group, g))
        return -EPERM;
    p->pgid = pgid;
    return 0;
}
