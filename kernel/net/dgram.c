/*
 * net/dgram.c — the receive queue of UDP and raw sockets: datagrams wait
 * with their source address, bounded by SO_RCVBUF (beyond it they are
 * dropped, as Linux does), and leave whole: a short read truncates one
 * (MSG_TRUNC), MSG_PEEK leaves it queued.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/pbuf.h"

struct dgram {
    struct list link;
    struct pbuf *p;
    ip_addr_t src;
    uint16_t port;
};

void dgram_init(struct dgram_queue *q)
{
    list_init(&q->list);
    q->bytes = 0;
}

bool dgram_push(struct sock *s, struct dgram_queue *q, struct pbuf *p,
                const ip_addr_t *src, uint16_t port)
{
    struct dgram *d = NULL;
    if (q->bytes + p->tot_len <= (size_t)s->rcvbuf)
        d = kmalloc(sizeof(*d));
    if (!d) {
        pbuf_free(p);
        return false;
    }
    d->p = p;
    d->src = *src;
    d->port = port;
    list_add_tail(&q->list, &d->link);
    q->bytes += p->tot_len;
    sock_notify(s, EPOLLIN);
    return true;
}

static void drop(struct dgram_queue *q, struct dgram *d)
{
    list_del(&d->link);
    q->bytes -= d->p->tot_len;
    pbuf_free(d->p);
    kfree(d);
}

long dgram_pop(struct sock *s, struct dgram_queue *q, struct msg *m)
{
    struct dgram *d = container_of(q->list.next, struct dgram, link);
    uint64_t want = msg_left(m), len = d->p->tot_len, done = 0;
    for (struct pbuf *b = d->p; b && done < want; b = b->next) {
        long r = msg_to_user(m, b->payload, MIN((uint64_t)b->len, want - done));
        if (r < 0)
            return r;
        done += r;
    }
    if (done < len)
        m->out_flags |= MSG_TRUNC;
    inet_addr_out(&m->addr, s->family, &d->src, d->port);
    if (!(m->flags & MSG_PEEK))
        drop(q, d);
    return (m->flags & MSG_TRUNC) ? (long)len : (long)done;
}

long dgram_next_len(const struct dgram_queue *q)
{
    if (list_empty(&q->list))
        return 0;
    return container_of(q->list.next, struct dgram, link)->p->tot_len;
}

void dgram_clear(struct dgram_queue *q)
{
    list_for_each(l, &q->list) drop(q, container_of(l, struct dgram, link));
}
