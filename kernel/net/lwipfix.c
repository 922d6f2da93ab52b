/*
 * net/lwipfix.c — where the port makes up for what lwIP 2.1.3 leaves to
 * a peer when built as gorump builds it (lwIP itself is never patched).
 *
 * Pool limits: with MEMP_MEM_MALLOC every pool comes from the heap and
 * lwIP counts nothing, so the MEMP_NUM_* sizes that bound what a peer can
 * make it hold (packets queued for neighbour discovery, reassembly
 * buffers) bound nothing.  The kernel is linked with --wrap=memp_malloc
 * and --wrap=memp_free (Makefile): those pools get their limit back, and
 * lwIP does what it does with an empty static pool (drops the oldest
 * queued packet, or the new one).  Connection pools (pcbs, segments,
 * pbufs) stay unbounded: lwIP reclaims pcbs at its limit by killing
 * established connections; what a SYN flood may cost is bounded per
 * listener instead (the SYN queue, below).
 *
 * Neighbour queues: packets wait on an INCOMPLETE neighbour entry, and
 * lwIP sends them only when a Neighbor Advertisement completes it.  An
 * unsolicited Neighbor Solicitation that carries the address moves the
 * entry on (DELAY, then PROBE) and leaves the queue behind; and nd6_tmr
 * never frees an INCOMPLETE entry that is a default router (an RA made
 * it one).  Either way the packets waited as long as the entry lived.
 * net_lwip_tick, run with lwIP's timers, sends the queue of an entry that
 * has a link-layer address (as nd6_send_q does) and drops the queue of a
 * router that never answered, as Linux drops a FAILED neighbour's.
 *
 * SYN queue: lwIP counts a listener's half-open connections against its
 * backlog (TCP_LISTEN_BACKLOG) and drops SYNs past it.  A flood would
 * then hold the queue, and shut out every real client, until its
 * entries time out (20 s).  Linux answers past its queue with SYN
 * cookies, which lwIP cannot take (a connection needs its pcb); here,
 * as FreeBSD's syncache does when a bucket is full, the new SYN takes
 * the place of the listener's least recently active half-open
 * connection (dropped silently, as Linux drops a request).  Established
 * connections are never touched, so a flood costs at most a backlog of
 * pcbs per listener, and a client whose handshake completes within the
 * time the flood takes to fill the queue gets in.
 *
 * Acknowledging large segments: the driver cuts one the host did not
 * (virtio's GUEST_TSO) and marks the last piece (NETDEV_RX_ACK_NOW);
 * rx sets net_rx_ack_now for it, and the same hook has that segment's
 * connection acknowledge at once instead of delaying, as Linux does for
 * what its GRO joined.
 */
#include "net/net.h"

#include "lwip/ip6.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/prot/ip6.h"
#include "lwip/nd6.h"
#include "lwip/priv/nd6_priv.h"

void *__real_memp_malloc(memp_t type);
void *__wrap_memp_malloc(memp_t type);
void __real_memp_free(memp_t type, void *mem);
void __wrap_memp_free(memp_t type, void *mem);

static int limit_of(memp_t type)
{
    switch (type) {
    case MEMP_ND6_QUEUE:
        return MEMP_NUM_ND6_QUEUE;
    case MEMP_REASSDATA:
    case MEMP_IP6_REASSDATA:
        return MEMP_NUM_REASSDATA;
    case MEMP_FRAG_PBUF:
        return MEMP_NUM_FRAG_PBUF;
    default:
        return 0; /* unbounded */
    }
}

/* Objects of each pool in use: the limits above, and /proc/net/lwip's
 * account of what lwIP holds. */
static int in_use[MEMP_MAX];

static const char *const pool_names[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) [MEMP_##name] = #name,
#include "lwip/priv/memp_std.h"
};

void *__wrap_memp_malloc(memp_t type)
{
    int limit = limit_of(type);
    if (limit && in_use[type] >= limit)
        return NULL;
    void *p = __real_memp_malloc(type);
    if (p)
        in_use[type]++;
    return p;
}

void __wrap_memp_free(memp_t type, void *mem)
{
    if (mem)
        in_use[type]--;
    __real_memp_free(type, mem);
}

void net_lwip_pools(struct seq *s)
{
    for (int i = 0; i < MEMP_MAX; i++)
        if (in_use[i])
            seq_printf(s, "pool %s %d\n", pool_names[i], in_use[i]);
}

/* The queue of neighbour entry n, detached: each packet is sent, or
 * just freed. */
static void flush_queue(struct nd6_neighbor_cache_entry *n, bool send)
{
    struct nd6_q_entry *q = n->q;
    n->q = NULL;
    while (q) {
        struct nd6_q_entry *next = q->next;
        if (send && n->netif) {
            struct ip6_hdr *h = q->p->payload;
            ip6_addr_t dest;
            ip6_addr_copy_from_packed(dest, h->dest);
            ip6_addr_assign_zone(&dest, IP6_UNICAST, n->netif);
            n->netif->output_ip6(n->netif, q->p, &dest);
        }
        pbuf_free(q->p);
        memp_free(MEMP_ND6_QUEUE, q);
        q = next;
    }
}

void net_lwip_tick(void)
{
    for (int i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
        struct nd6_neighbor_cache_entry *n = &neighbor_cache[i];
        if (!n->q)
            continue;
        if (n->state == ND6_REACHABLE || n->state == ND6_STALE ||
            n->state == ND6_DELAY || n->state == ND6_PROBE)
            flush_queue(n, true);
        else if (n->state == ND6_INCOMPLETE && n->isrouter &&
                 n->counter.probes_sent >= LWIP_ND6_MAX_MULTICAST_SOLICIT)
            flush_queue(n, false);
    }
}

uint64_t net_syn_evicted;

bool net_rx_ack_now;

int net_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
    /* The last of a large segment the driver cut: tcp_input's own
     * tcp_output after this segment sends the ACK it would delay. */
    if (net_rx_ack_now && pcb->state != LISTEN && pcb->state != TIME_WAIT)
        tcp_ack_now(pcb);
    if (pcb->state != LISTEN ||
        (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return ERR_OK;
    struct tcp_pcb_listen *l = (struct tcp_pcb_listen *)pcb;
    if (l->accepts_pending < l->backlog)
        return ERR_OK;
    /* tcp_input moves a pcb that receives to the front of the list: the
     * last of the listener's half-open ones was heard from least
     * recently. */
    struct tcp_pcb *last = NULL;
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        if (p->listener == l && p->state == SYN_RCVD &&
            (p->flags & TF_BACKLOGPEND))
            last = p;
    if (last) {
        net_syn_evicted++;
        tcp_abandon(last, 0);
    }
    return ERR_OK;
}
