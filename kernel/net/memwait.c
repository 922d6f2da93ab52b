/*
 * net/memwait.c — sockets whose send found no memory, waiting for it as
 * Linux's sk_stream_wait_memory waits: a timer probes for memory with a
 * growing delay and, once an allocation succeeds again, wakes every
 * waiting socket (EPOLLOUT).  A waiting socket is not writable (its poll
 * asks memwait_waiting), so a program that polls does not spin, and the
 * wake-up is the writability event an edge-triggered watcher (Go's
 * netpoller) needs.  Without it a send that failed with nothing in
 * flight waited for an acknowledgement that never came.
 */
#include "net/inet.h"

#include "lwip/memp.h"
#include "lwip/tcp.h"

/* Linux waits a random 2 to HZ/5 + 2 jiffies (vm_wait in
 * sk_stream_wait_memory); here the delay doubles from the first to the
 * last while memory stays short. */
#define MEMWAIT_FIRST_MS 10
#define MEMWAIT_LAST_MS 200

static struct {
    struct list waiting; /* struct memwait, by link */
    struct ktimer timer;
    uint64_t delay_ms;
} mw;

/* Would a TCP send find memory now?  What tcp_write allocates: a pbuf of
 * up to an MSS and the segment. */
static bool probe(void)
{
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, TCP_MSS, PBUF_RAM);
    void *seg = p ? memp_malloc(MEMP_TCP_SEG) : NULL;
    if (seg)
        memp_free(MEMP_TCP_SEG, seg);
    if (p)
        pbuf_free(p);
    return seg != NULL;
}

static void arm(void)
{
    ktimer_arm(&mw.timer, clock_mono_ns() + mw.delay_ms * 1000000);
}

static void tick(void *arg)
{
    if (list_empty(&mw.waiting))
        return;
    if (!probe()) {
        mw.delay_ms = MIN(mw.delay_ms * 2, MEMWAIT_LAST_MS);
        arm();
        return;
    }
    list_for_each(l, &mw.waiting)
    {
        struct memwait *w = container_of(l, struct memwait, link);
        memwait_leave(w);
        sock_notify(w->sock, EPOLLOUT);
    }
}

void memwait_enter(struct memwait *w, struct sock *s)
{
    if (!mw.timer.fn) {
        list_init(&mw.waiting);
        mw.timer.fn = tick;
    }
    if (!w->on) {
        w->on = true;
        w->sock = s;
        list_add_tail(&mw.waiting, &w->link);
    }
    if (!mw.timer.armed) {
        mw.delay_ms = MEMWAIT_FIRST_MS;
        arm();
    }
}

void memwait_leave(struct memwait *w)
{
    if (!w->on)
        return;
    w->on = false;
    list_del(&w->link);
}
