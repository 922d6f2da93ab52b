/*
 * net/loop.c — the loopback interface "lo" (127.0.0.1/8 and ::1).
 *
 * Why our own and not lwIP's: when both ends of a loopback TCP connection
 * have a zero receive window, lwIP answers every pure ACK that falls
 * outside the (empty) window with another ACK; over lwIP's loopback, which
 * delivers everything synchronously, the two ends then exchange ACKs
 * forever inside one call.  Here each packet is queued, a pure ACK that
 * repeats the previous one of its connection exactly (same sequence,
 * acknowledgement and window) is dropped — it carries no information, and
 * TCP tolerates lost ACKs — and one pump delivers at most LOOP_BUDGET
 * packets before the rest waits for the next.
 *
 * The same queue carries what an Ethernet interface sends to one of its
 * own addresses (loop_send): it goes back in on that interface, never out
 * of the device, as Linux routes such traffic over lo.
 */
#include "net/inet.h"
#include "mm/mm.h"

#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

#define LOOP_BUDGET 4096
#define ACK_SLOTS 64

struct qpkt {
    struct list link;
    struct pbuf *p;
    struct netif *nif; /* where it comes in */
};

struct ack_key {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t win;
    bool valid;
};

static struct {
    struct netif nif;
    struct list queue;
    struct ack_key last[ACK_SLOTS];
    uint64_t dropped_acks;
} lo;

/* The TCP header of an IPv4 or IPv6 packet without options, or NULL. */
static const uint8_t *tcp_header(const uint8_t *ip, size_t len, size_t *plen)
{
    if (len >= 20 && (ip[0] >> 4) == 4) {
        size_t ihl = (size_t)(ip[0] & 15) * 4;
        size_t tot = (size_t)ip[2] << 8 | ip[3];
        if (ip[9] != 6 || ihl < 20 || tot > len || tot < ihl + 20)
            return NULL;
        *plen = tot - ihl;
        return ip + ihl;
    }
    if (len >= 60 && (ip[0] >> 4) == 6 && ip[6] == 6) {
        size_t pl = (size_t)ip[4] << 8 | ip[5];
        if (pl + 40 > len || pl < 20)
            return NULL;
        *plen = pl;
        return ip + 40;
    }
    return NULL;
}

/* Is this an exact repeat of its connection's previous pure ACK? */
static bool repeated_ack(struct pbuf *p)
{
    const uint8_t *ip = p->payload, *t;
    size_t seglen;
    if (p->len != p->tot_len || !(t = tcp_header(ip, p->len, &seglen)))
        return false;
    size_t hlen = (size_t)(t[12] >> 4) * 4;
    if (t[13] != 0x10 || seglen != hlen) /* ACK alone, no data */
        return false;
    struct ack_key k = {
        .sport = (uint16_t)(t[0] << 8 | t[1]),
        .dport = (uint16_t)(t[2] << 8 | t[3]),
        .seq = (uint32_t)t[4] << 24 | t[5] << 16 | t[6] << 8 | t[7],
        .ack = (uint32_t)t[8] << 24 | t[9] << 16 | t[10] << 8 | t[11],
        .win = (uint16_t)(t[14] << 8 | t[15]),
        .valid = true,
    };
    struct ack_key *slot = &lo.last[(k.sport * 31u + k.dport) % ACK_SLOTS];
    bool same = slot->valid && slot->sport == k.sport &&
                slot->dport == k.dport && slot->seq == k.seq &&
                slot->ack == k.ack && slot->win == k.win;
    *slot = k;
    return same && k.win == 0;
}

static err_t enqueue(struct pbuf *p, struct netif *nif)
{
    struct qpkt *q = kmalloc(sizeof(*q));
    struct pbuf *c = q ? pbuf_clone(PBUF_RAW, PBUF_RAM, p) : NULL;
    if (!c) {
        kfree(q);
        return ERR_MEM;
    }
    q->p = c;
    q->nif = nif;
    list_add_tail(&lo.queue, &q->link);
    return ERR_OK;
}

static err_t out4(struct netif *nif, struct pbuf *p, const ip4_addr_t *a)
{
    return enqueue(p, nif);
}

static err_t out6(struct netif *nif, struct pbuf *p, const ip6_addr_t *a)
{
    return enqueue(p, nif);
}

int loop_send(struct netif *nif, struct pbuf *p)
{
    return enqueue(p, nif);
}

static err_t lo_init(struct netif *nif)
{
    nif->name[0] = 'l';
    nif->name[1] = 'o';
    nif->mtu = 16384;
    nif->output = out4;
    nif->output_ip6 = out6;
    return ERR_OK;
}

void loop_init(void)
{
    ip4_addr_t addr, mask;
    IP4_ADDR(&addr, 127, 0, 0, 1);
    IP4_ADDR(&mask, 255, 0, 0, 0);
    list_init(&lo.queue);
    netif_add(&lo.nif, &addr, &mask, IP4_ADDR_ANY4, NULL, lo_init, ip_input);
    ip6_addr_t one;
    IP6_ADDR(&one, 0, 0, 0, PP_HTONL(1));
    netif_ip6_addr_set(&lo.nif, 0, &one);
    netif_ip6_addr_set_state(&lo.nif, 0, IP6_ADDR_VALID);
    netif_set_link_up(&lo.nif);
    netif_set_up(&lo.nif);
}

/* Delivers queued packets; true when some are left for later. */
bool loop_pump(void)
{
    for (int n = 0; n < LOOP_BUDGET && !list_empty(&lo.queue); n++) {
        struct qpkt *q = container_of(lo.queue.next, struct qpkt, link);
        struct pbuf *p = q->p;
        struct netif *nif = q->nif;
        list_del(&q->link);
        kfree(q);
        if (repeated_ack(p)) {
            lo.dropped_acks++;
            pbuf_free(p);
            continue;
        }
        /* What an interface sent itself may lack the TCP checksum its
         * device would have added (net.c). */
        if (net_input(p, nif, nif != &lo.nif, ip_input) != ERR_OK)
            pbuf_free(p);
    }
    return !list_empty(&lo.queue);
}
