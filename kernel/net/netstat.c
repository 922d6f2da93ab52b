/*
 * net/netstat.c — what the network stack survived and what it holds, for
 * /proc/net/lwip (gorump's own file: Linux has no such thing).
 *
 * lwIP's assertions: the port does not panic on them (port/arch/cc.h).
 * lwIP checks what comes from the network with explicit tests
 * (LWIP_ERROR and plain ifs that drop the packet); LWIP_ASSERT states
 * what its own code and its callers keep true, and lwIP is meant to be
 * built with them compiled out (LWIP_NOASSERT), where execution simply
 * goes on.  A panic would turn any such statement a crafted packet can
 * falsify into a remote kill switch, so a failed assertion here is what
 * it is in a release build, plus a console line (once per site) and a
 * counter: the tests fail when the counter moves.
 */
#include "net/net.h"
#include "drv/netdev.h"

#include "lwip/priv/tcp_priv.h"

#define ASSERT_SITES 32

static struct {
    uint64_t asserts;
    struct {
        const char *file;
        int line;
    } seen[ASSERT_SITES];
    int nseen;
} nstat;

struct net_mem net_mem;

static bool first_at_site(const char *file, int line)
{
    for (int i = 0; i < nstat.nseen; i++)
        if (nstat.seen[i].line == line && nstat.seen[i].file == file)
            return false;
    if (nstat.nseen == ASSERT_SITES)
        return false; /* counted, no longer printed */
    nstat.seen[nstat.nseen].file = file;
    nstat.seen[nstat.nseen].line = line;
    nstat.nseen++;
    return true;
}

void lwip_port_assert(const char *msg, const char *file, int line)
{
    nstat.asserts++;
    if (first_at_site(file, line))
        kprintf("gorump: net: lwIP assertion \"%s\" failed at %s:%d "
                "(going on; counted in /proc/net/lwip)\n",
                msg, file, line);
}

static int count_pcbs(struct tcp_pcb *p)
{
    int n = 0;
    for (; p; p = p->next)
        n++;
    return n;
}

/* Active connections by state (RFC 9293 §3.3.2), for the tests to see
 * what outlives a storm. */
static void count_states(struct seq *s)
{
    static const char *const names[] = {
        "CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RCVD",
        "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
        "CLOSING",     "LAST_ACK",   "TIME_WAIT"};
    int n[ARRAY_SIZE(names)] = {0};
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        if ((unsigned)p->state < ARRAY_SIZE(names))
            n[p->state]++;
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
        if (n[i])
            seq_printf(s, "tcp_state %s %d\n", names[i], n[i]);
}

void net_proc_lwip(struct seq *s)
{
    seq_printf(s, "asserts %lu\n", nstat.asserts);
    seq_printf(s, "mem_objects %lu\nmem_bytes %lu\n", net_mem.objects,
               net_mem.bytes);
    seq_printf(s, "tcp_active %d\ntcp_time_wait %d\ntcp_listen %d\n",
               count_pcbs(tcp_active_pcbs), count_pcbs(tcp_tw_pcbs),
               count_pcbs((struct tcp_pcb *)tcp_listen_pcbs.listen_pcbs));
    seq_printf(s, "tcp_syn_evicted %lu\n", net_syn_evicted);
    seq_printf(s, "tcp_send_reclaimed %lu\ntcp_send_memwait %lu\n",
               net_send_reclaimed, net_send_memwait);
    /* lwIP's TCP clock, in 500 ms ticks of tcp_slowtmr: what its
     * timeouts (SYN_RCVD, TIME_WAIT, retransmissions) count in. */
    seq_printf(s, "tcp_ticks %u\n", (unsigned)tcp_ticks);
    count_states(s);
    net_lwip_pools(s);
    for (int i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        seq_printf(s,
                   "%s rx_packets %lu rx_dropped %lu tx_packets %lu "
                   "tx_dropped %lu tx_tso %lu tx_tso_segs %lu rx_gso %lu "
                   "rx_gso_segs %lu\n",
                   d->name, d->rx_packets, d->rx_dropped, d->tx_packets,
                   d->tx_dropped, d->tx_tso, d->tx_tso_segs, d->rx_gso,
                   d->rx_gso_segs);
    }
}
