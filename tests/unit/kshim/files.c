/*
 * tests/unit/kshim/files.c — what fs/file.c (file objects and the fd
 * table) needs from the rest of the kernel, for tests that build it on
 * the host: wait queues that only count wake-ups, a sleep that a signal
 * interrupts at once (the test is the only thread: nothing else could
 * wake it, so a call that would block returns -EINTR or -ERESTARTSYS),
 * and the inotify, procfs and file-tree hooks as no-ops.
 */
#include "fs/fs.h"

int kshim_wakes;

void waitq_init(struct waitq *wq)
{
    list_init(&wq->waiters);
}

int waitq_wake(struct waitq *wq, int n)
{
    kshim_wakes++;
    return 0;
}

int sched_sleep(struct waitq *wq, uint64_t deadline)
{
    return -EINTR;
}

void node_put(struct node *n)
{
}

void inotify_closed(struct file *f)
{
}
