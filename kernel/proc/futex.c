/*
 * proc/futex.c — futex(2) WAIT and WAKE (and their BITSET forms), the
 * primitive under Go's and libc's locks.  A futex is named by its
 * address space and its user address there (Linux's private futexes:
 * processes sharing a space after vfork share its futexes; shared
 * mappings between processes do not exist); waiters hang on one of 64
 * hashed wait queues.  The value check and the sleep are atomic because the
 * kernel runs with interrupts off (proc.h).
 */
#include "proc/proc.h"
#include "mm/mm.h"

#define NBUCKET 64

static struct {
    struct waitq bucket[NBUCKET];
    bool ready;
} fx;

static struct waitq *bucket(uint64_t uaddr)
{
    if (!fx.ready) {
        for (int i = 0; i < NBUCKET; i++)
            waitq_init(&fx.bucket[i]);
        fx.ready = true;
    }
    return &fx.bucket[(uaddr >> 2) % NBUCKET];
}

long futex_wait(uint64_t uaddr, uint32_t val, uint64_t deadline,
                uint32_t bitset)
{
    uint32_t cur;
    if (uaddr & 3)
        return -EINVAL;
    if (!bitset)
        return -EINVAL;
    long err = get_user_u32(&cur, uaddr);
    if (err)
        return err;
    if (cur != val)
        return -EAGAIN;
    struct thread *t = current();
    t->futex_addr = uaddr;
    t->futex_bitset = bitset;
    int r = sched_sleep(bucket(uaddr), deadline);
    t->futex_addr = 0;
    return r;
}

long futex_wake(uint64_t uaddr, int n, uint32_t bitset)
{
    if (uaddr & 3)
        return -EINVAL;
    if (!bitset)
        return -EINVAL;
    struct waitq *wq = bucket(uaddr);
    int woken = 0;
    list_for_each(l, &wq->waiters)
    {
        struct thread *t = container_of(l, struct thread, run_link);
        if (woken >= n)
            break;
        if (t->futex_addr == uaddr && (t->futex_bitset & bitset) &&
            t->proc->vm == current()->proc->vm) {
            sched_wake(t, 0);
            woken++;
        }
    }
    return woken;
}
