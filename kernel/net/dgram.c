/*
 * net/dgram.c — the receive queue of UDP and raw sockets: datagrams wait
 * with their source address, bounded by SO_RCVBUF (beyond it they are
 * dropped, as Linux does), and leave whole: a short read truncates one
 * (MSG_TRUNC), MSG_PEEK leaves it queued.  Each keeps what the socket
 * may ask for in control messages (ip(7) IP_PKTINFO, IP_RECVTOS; ipv6(7)
 * IPV6_RECVPKTINFO, IPV6_RECVTCLASS): its destination address, the
 * interface it came in on and its TOS (traffic class) byte, taken from
 * lwIP's current packet while the receive callback runs.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"

struct dgram {
    struct list link;
    struct pbuf *p;
    ip_addr_t src, dst;
    uint16_t port;
    uint8_t tos, ifindex;
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
    d->dst = *ip_current_dest_addr();
    d->ifindex = netif_get_index(ip_current_input_netif());
    d->tos = ip_current_is_v6() ? IP6H_TC(ip6_current_header())
                                : IPH_TOS(ip4_current_header());
    list_add_tail(&q->list, &d->link);
    q->bytes += p->tot_len;
    sock_notify(s, EPOLLIN);
    return true;
}

/* Appends one control message to m->ctl (sized for all of them). */
static void ctl_put(struct msg *m, int level, int type, const void *data,
                    uint32_t len)
{
    uint64_t clen = 16 + len;
    int32_t lt[2] = {level, type};
    uint8_t *c = m->ctl + m->ctl_len;
    memcpy(c, &clen, 8);
    memcpy(c + 8, lt, 8);
    memcpy(c + 16, data, len);
    memset(c + 16 + len, 0, ALIGN_UP(clen, 8UL) - clen);
    m->ctl_len += ALIGN_UP(clen, 8UL);
}

/* IPv4's (ip_cmsg_recv_offset order): struct in_pktinfo, the TOS byte. */
static void ctl_ip4(struct sock *s, const struct dgram *d, struct msg *m)
{
    if (s->ip.pktinfo) {
        uint8_t info[12];
        int32_t ifindex = d->ifindex;
        memcpy(info, &ifindex, 4);
        memcpy(info + 4, &ip_2_ip4(&d->dst)->addr, 4); /* ipi_spec_dst */
        memcpy(info + 8, &ip_2_ip4(&d->dst)->addr, 4); /* ipi_addr */
        ctl_put(m, SOL_IP, IP_PKTINFO, info, sizeof(info));
    }
    if (s->ip.recvtos)
        ctl_put(m, SOL_IP, IP_TOS, &d->tos, 1);
}

/* The control messages the socket enabled, in Linux's order: an IPv6
 * socket gives IPV6_PKTINFO (a v4-mapped address for an IPv4 packet),
 * then IPV6_TCLASS for an IPv6 packet or the IPv4 ones for an IPv4
 * packet (udpv6_recvmsg). */
static void ctl_fill(struct sock *s, const struct dgram *d, struct msg *m)
{
    bool v4 = IP_IS_V4_VAL(d->dst);
    if (s->family == AF_INET6 && s->ip.recvpktinfo6) {
        uint8_t info[20] = {0};
        int32_t ifindex = d->ifindex;
        if (v4) {
            info[10] = info[11] = 0xff;
            memcpy(info + 12, &ip_2_ip4(&d->dst)->addr, 4);
        } else {
            memcpy(info, ip_2_ip6(&d->dst)->addr, 16);
        }
        memcpy(info + 16, &ifindex, 4);
        ctl_put(m, SOL_IPV6, IPV6_PKTINFO, info, sizeof(info));
    }
    if (v4) {
        ctl_ip4(s, d, m);
    } else if (s->ip.recvtclass) {
        int32_t tclass = d->tos;
        ctl_put(m, SOL_IPV6, IPV6_TCLASS, &tclass, 4);
    }
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
    ctl_fill(s, d, m);
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
