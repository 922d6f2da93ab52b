/*
 * net/net.c — lwIP's platform layer (memory, time, random numbers), its
 * timeouts driven by a kernel timer, the network interfaces (one lwIP
 * netif per drv/netdev device, plus loopback) and their configuration:
 * DHCP by default, or a static address from the kernel command line
 * (gorump.ip=ADDR/PREFIX gorump.gw=ADDR gorump.dns=ADDR, which the host
 * tool writes from --ip, --gateway and --dns).
 *
 * Copies per packet: receive copies the frame from the device's buffers
 * into a pbuf (1, a cut segment's payload too: drv/netdev.h); transmit copies
 * the pbuf chain into the device's buffer (1).  The socket layer adds one copy
 * each way between pbufs and the program's memory (for TCP sends, lwIP's own
 * copy: net/tcp.c).
 */
#include "net/inet.h"
#include "drv/netdev.h"
#include "mm/mm.h"

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#define DHCP_WAIT_MS 5000

static struct {
    struct netif nif[NETDEV_MAX];
    int n;
    struct ktimer timer;
    bool ready;
    bool static_cfg;
    ip4_addr_t dns;
} net;

/* --- the platform layer lwIP asks for */

/* lwIP asserts that a timeout can always be allocated (sys_timeout_abs:
 * "pool MEMP_SYS_TIMEOUT is empty"), which its static pools guarantee and
 * the kernel heap does not.  Objects of that size come from a reserve of
 * their own, sized for every timeout lwIP can have, before the heap. */
#define TIMEO_SIZE LWIP_MEM_ALIGN_SIZE(sizeof(struct sys_timeo))
#define TIMEO_RESERVE (2 * MEMP_NUM_SYS_TIMEOUT)

static struct {
    uint8_t block[TIMEO_RESERVE][TIMEO_SIZE] __aligned(16);
    void *free; /* linked through their first word */
    bool ready;
} timeo;

static void *timeo_get(void)
{
    if (!timeo.ready) {
        for (int i = 0; i < TIMEO_RESERVE; i++) {
            *(void **)timeo.block[i] = timeo.free;
            timeo.free = timeo.block[i];
        }
        timeo.ready = true;
    }
    void *p = timeo.free;
    if (p)
        timeo.free = *(void **)p;
    return p;
}

static bool timeo_put(void *p)
{
    uint8_t *b = p;
    if (b < timeo.block[0] || b >= timeo.block[TIMEO_RESERVE])
        return false;
    *(void **)p = timeo.free;
    timeo.free = p;
    return true;
}

/* Every object carries its size in front, for net_mem's count of what
 * lwIP holds (the tests' measure of leaks); kmalloc aligns to 16. */
#define MEM_HDR 16

void *lwip_port_malloc(size_t n)
{
    void *p = n == TIMEO_SIZE ? timeo_get() : NULL;
    /* gorump.failnet: the network's own share of failures (a timeout
     * must never fail, see above). */
    if (!p && n != TIMEO_SIZE && failinject_now(FAIL_NET))
        return NULL;
    if (!p && n <= SIZE_MAX - MEM_HDR) {
        uint8_t *b = kmalloc(n + MEM_HDR);
        if (!b)
            return NULL;
        *(size_t *)b = n;
        p = b + MEM_HDR;
    }
    if (p) {
        net_mem.objects++;
        net_mem.bytes += n;
    }
    return p;
}

void *lwip_port_calloc(size_t n, size_t m)
{
    if (m && n > SIZE_MAX / m)
        return NULL;
    void *p = lwip_port_malloc(n * m);
    if (p)
        memset(p, 0, n * m);
    return p;
}

void lwip_port_free(void *p)
{
    if (!p)
        return;
    net_mem.objects--;
    if (timeo_put(p)) {
        net_mem.bytes -= TIMEO_SIZE;
        return;
    }
    uint8_t *b = (uint8_t *)p - MEM_HDR;
    net_mem.bytes -= *(size_t *)b;
    kfree(b);
}

uint32_t lwip_port_rand(void)
{
    uint32_t v;
    random_bytes(&v, sizeof(v));
    return v;
}

uint32_t sys_now(void);
uint32_t sys_now(void)
{
    return (uint32_t)(clock_mono_ns() / 1000000);
}

int atoi(const char *s);
int atoi(const char *s)
{
    int v = 0, neg = *s == '-';
    for (s += neg || *s == '+'; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    return neg ? -v : v;
}

int net_err(int e)
{
    switch (e) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
        return -ENOMEM;
    case ERR_BUF:
        return -ENOBUFS;
    case ERR_TIMEOUT:
        return -ETIMEDOUT;
    case ERR_RTE:
        return -ENETUNREACH;
    case ERR_INPROGRESS:
        return -EINPROGRESS;
    case ERR_WOULDBLOCK:
        return -EAGAIN;
    case ERR_USE:
        return -EADDRINUSE;
    case ERR_ALREADY:
        return -EALREADY;
    case ERR_ISCONN:
        return -EISCONN;
    case ERR_CONN:
        return -ENOTCONN;
    case ERR_IF:
        return -ENETDOWN;
    case ERR_ABRT:
        return -ECONNABORTED;
    case ERR_RST:
        return -ECONNRESET;
    case ERR_CLSD:
        return -ENOTCONN;
    default:
        return -EINVAL;
    }
}

/* --- timeouts: one kernel timer, armed for lwIP's next deadline */

static void net_timer(void *arg)
{
    netdev_tx_hold();
    sys_check_timeouts();
    net_lwip_tick();
    netdev_tx_release();
    net_pump();
    uint32_t ms = sys_timeouts_sleeptime();
    if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        ktimer_arm(&net.timer, clock_mono_ns() + (uint64_t)ms * 1000000);
}

void net_pump(void)
{
    if (!net.ready)
        return;
    bool more = loop_pump();
    /* Packets may have set new timeouts (retransmissions); loopback
     * packets beyond the budget go out on the next tick. */
    uint32_t ms = more ? 0 : sys_timeouts_sleeptime();
    uint64_t when =
        clock_mono_ns() + (uint64_t)ms * 1000000 + (more ? 100000 : 0);
    if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
        (!net.timer.armed || when < net.timer.deadline))
        ktimer_arm(&net.timer, when);
}

/* --- interfaces */

/* A frame is a pbuf chain of any length: TCP chains one pbuf per small
 * write onto a segment that waits for the window.  Up to LINK_PIECES go
 * to the device as they are; a longer chain is flattened first (the
 * device copies the frame at once, so one buffer serves every call). */
#define LINK_PIECES 16

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
    static uint8_t flat[NETDEV_FRAME_MAX];
    struct netdev *dev = nif->state;
    struct netdev_piece pieces[LINK_PIECES];
    int n = 0;
    for (struct pbuf *q = p; q; q = q->next) {
        if (q->len == 0)
            continue;
        if (n == LINK_PIECES) {
            if (p->tot_len > sizeof(flat)) {
                dev->tx_dropped++;
                return ERR_IF;
            }
            pieces[0] = (struct netdev_piece){
                flat, pbuf_copy_partial(p, flat, p->tot_len, 0)};
            n = 1;
            break;
        }
        pieces[n++] = (struct netdev_piece){q->payload, q->len};
    }
    int r = netdev_tx(dev, pieces, n);
    return r == 0 ? ERR_OK : ERR_IF;
}

/* A martian (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7): a packet from the
 * wire from one of our own addresses, from 0/8 (but to 255.255.255.255,
 * as DHCP may), or from or to the loopback network (127/8, ::1).  Linux
 * drops these (ip_route_input_slow, fib_validate_source with accept_local
 * off, ip6_rcv_core); lwIP took them, and a UDP echo server answering
 * one answered itself forever through the loopback queue. */
static bool martian6(const uint8_t *ip, size_t len)
{
    static const uint8_t one[16] = {[15] = 1};
    return len >= 40 && (!memcmp(ip + 8, one, 16) || !memcmp(ip + 24, one, 16));
}

static bool martian(const uint8_t *f, size_t len)
{
    if (len < SIZEOF_ETH_HDR || (f[12] != 0x08 && f[12] != 0x86))
        return false;
    len -= SIZEOF_ETH_HDR;
    if (f[12] == 0x86)
        return f[13] == 0xdd && martian6(f + SIZEOF_ETH_HDR, len);
    if (f[13] != 0x00 || len < 20)
        return false;
    ip4_addr_t src, dst;
    memcpy(&src, f + SIZEOF_ETH_HDR + 12, 4);
    memcpy(&dst, f + SIZEOF_ETH_HDR + 16, 4);
    if (ip4_addr_isloopback(&src) || ip4_addr_isloopback(&dst))
        return true;
    if ((ip4_addr_get_u32(&src) & PP_HTONL(0xff000000)) == 0)
        return ip4_addr_get_u32(&dst) != IPADDR_BROADCAST;
    for (int i = 0; i < net.n; i++)
        if (!ip4_addr_isany(netif_ip4_addr(&net.nif[i])) &&
            ip4_addr_cmp(&src, netif_ip4_addr(&net.nif[i])))
            return true;
    return false;
}

err_t net_input(struct pbuf *p, struct netif *nif, bool csum_valid,
                netif_input_fn input)
{
    u16_t flags = nif->chksum_flags;
    if (csum_valid)
        NETIF_SET_CHECKSUM_CTRL(nif, flags & ~(NETIF_CHECKSUM_CHECK_TCP |
                                               NETIF_CHECKSUM_CHECK_UDP));
    err_t err = input(p, nif);
    NETIF_SET_CHECKSUM_CTRL(nif, flags);
    return err;
}

/* An IP fragment: reassembly may finish a datagram under another
 * fragment's input, so a fragment never skips the check. */
static bool fragment(const uint8_t *f, size_t len)
{
    const uint8_t *ip = f + SIZEOF_ETH_HDR;
    if (len < SIZEOF_ETH_HDR + 40)
        return false;
    if (f[12] == 0x08 && f[13] == 0x00)
        return (ip[6] & 0x3f) | ip[7];
    return f[12] == 0x86 && f[13] == 0xdd && ip[6] == 44;
}

static void rx(struct netdev *dev, const struct netdev_piece *piece, int n,
               size_t len, unsigned flags, void *arg)
{
    struct netif *nif = arg;
    const uint8_t *frame = piece[0].data; /* its headers, at least */
    if (martian(frame, len))
        return;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (!p) {
        dev->rx_dropped++;
        return;
    }
    for (size_t i = 0, at = 0; i < (size_t)n; at += piece[i++].len)
        pbuf_take_at(p, piece[i].data, (u16_t)piece[i].len, (u16_t)at);
    bool valid = (flags & NETDEV_RX_CSUM_VALID) && !fragment(frame, len);
    net_rx_ack_now = flags & NETDEV_RX_ACK_NOW; /* lwipfix.c */
    if (net_input(p, nif, valid, nif->input) != ERR_OK)
        pbuf_free(p);
    net_rx_ack_now = false;
    net_pump();
}

/* What an interface sends to its own address comes back in through the
 * loopback queue instead of leaving by the device (QEMU would drop it or
 * hand it to the host), as Linux routes it over lo. */
static err_t nif_output4(struct netif *nif, struct pbuf *p, const ip4_addr_t *a)
{
    if (!ip4_addr_isany(netif_ip4_addr(nif)) &&
        ip4_addr_cmp(a, netif_ip4_addr(nif)))
        return loop_send(nif, p);
    return etharp_output(nif, p, a);
}

static err_t nif_output6(struct netif *nif, struct pbuf *p, const ip6_addr_t *a)
{
    if (netif_get_ip6_addr_match(nif, a) >= 0)
        return loop_send(nif, p);
    return ethip6_output(nif, p, a);
}

static err_t nif_init(struct netif *nif)
{
    struct netdev *dev = nif->state;
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, dev->mac, 6);
    nif->mtu = dev->mtu;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                 NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->output = nif_output4;
    nif->output_ip6 = nif_output6;
    nif->linkoutput = linkoutput;
    /* The device finishes TCP checksums (drv/virtio_net.c). */
    if (dev->tx_csum_tcp)
        NETIF_SET_CHECKSUM_CTRL(nif, NETIF_CHECKSUM_ENABLE_ALL &
                                         ~NETIF_CHECKSUM_GEN_TCP);
    netif_set_hostname(nif, "gorump");
    return ERR_OK;
}

void net_init(void)
{
    lwip_init();
    net.timer.fn = net_timer;
    net.ready = true;
    loop_init();
    for (int i = 0; i < netdev_count() && net.n < NETDEV_MAX; i++) {
        struct netdev *dev = netdev_get(i);
        struct netif *nif = &net.nif[net.n];
        if (!netif_add(nif, NULL, NULL, NULL, dev, nif_init, ethernet_input))
            continue;
        dev->rx = rx;
        dev->rx_arg = nif;
        netif_create_ip6_linklocal_address(nif, 1);
        netif_set_ip6_autoconfig_enabled(nif, 1);
        if (net.n == 0)
            netif_set_default(nif);
        netif_set_link_up(nif);
        netif_set_up(nif);
        net.n++;
    }
    net_timer(NULL);
}

/* Is any TCP connection still holding data it has not sent, or sent but
 * not had acknowledged? */
static bool tcp_busy(void)
{
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        if (p->unsent || p->unacked)
            return true;
    return false;
}

void net_drain(uint64_t timeout_ms)
{
    if (!net.ready)
        return;
    net_pump();
    uint64_t deadline = clock_mono_ns() + timeout_ms * 1000000;
    while (tcp_busy() && clock_mono_ns() < deadline) {
        sched_run_timers();
        cpu_relax_halt();
        net_pump();
    }
}

/* Parses "a.b.c.d" (and "/prefix" when prefix is not NULL). */
static bool parse_ip4(const char *s, ip4_addr_t *a, int *prefix)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        if (*s < '0' || *s > '9')
            return false;
        unsigned part = 0;
        while (*s >= '0' && *s <= '9' && part < 256)
            part = part * 10 + (*s++ - '0');
        if (part > 255 || (i < 3 && *s++ != '.'))
            return false;
        v = v << 8 | part;
    }
    if (prefix) {
        *prefix = 24;
        if (*s == '/') {
            s++;
            *prefix = 0;
            while (*s >= '0' && *s <= '9' && *prefix <= 32)
                *prefix = *prefix * 10 + (*s++ - '0');
            if (*prefix > 32)
                return false;
        }
    }
    if (*s && *s != ' ')
        return false;
    ip4_addr_set_u32(a, lwip_htonl(v));
    return true;
}

static void configure_static(struct netif *nif, const char *ip)
{
    ip4_addr_t addr, mask, gw;
    int prefix;
    if (!parse_ip4(ip, &addr, &prefix)) {
        kprintf("gorump: net: bad gorump.ip=%.40s\n", ip);
        return;
    }
    ip4_addr_set_u32(&mask, prefix ? lwip_htonl(~0u << (32 - prefix)) : 0);
    const char *g = cmdline_value("gorump.gw=");
    if (!g || !parse_ip4(g, &gw, NULL))
        ip4_addr_set_zero(&gw);
    netif_set_addr(nif, &addr, &mask, &gw);
    net.static_cfg = true;
}

static bool all_bound(void)
{
    for (int i = 0; i < net.n; i++)
        if (!dhcp_supplied_address(&net.nif[i]))
            return false;
    return true;
}

void net_configure(struct seq *resolv, struct seq *hosts)
{
    const char *ip = cmdline_value("gorump.ip=");
    const char *dns = cmdline_value("gorump.dns=");
    if (dns && !parse_ip4(dns, &net.dns, NULL))
        kprintf("gorump: net: bad gorump.dns=%.40s\n", dns);
    if (net.n && ip)
        configure_static(&net.nif[0], ip);
    for (int i = net.static_cfg ? 1 : 0; i < net.n; i++)
        dhcp_start(&net.nif[i]);
    uint64_t deadline = clock_mono_ns() + (uint64_t)DHCP_WAIT_MS * 1000000;
    bool waited = false;
    while (net.n > (net.static_cfg ? 1 : 0) && !all_bound() &&
           clock_mono_ns() < deadline) {
        sched_run_timers();
        cpu_relax_halt();
        waited = true;
    }
    if (waited && !all_bound())
        kprintf("gorump: net: no DHCP answer after %d ms; continuing\n",
                DHCP_WAIT_MS);
    if (!ip4_addr_isany_val(net.dns))
        seq_printf(resolv, "nameserver %s\n", ip4addr_ntoa(&net.dns));
    else if (dns_getserver(0) && !ip_addr_isany(dns_getserver(0)))
        seq_printf(resolv, "nameserver %s\n", ipaddr_ntoa(dns_getserver(0)));
    for (int i = 0; i < net.n; i++) {
        const ip4_addr_t *a = netif_ip4_addr(&net.nif[i]);
        if (ip4_addr_isany(a))
            continue;
        seq_printf(hosts, "%s\tgorump\n", ip4addr_ntoa(a));
        if (cmdline_has("gorump.verbose")) {
            uint32_t mask = ip4_addr_get_u32(netif_ip4_netmask(&net.nif[i]));
            kprintf("gorump: net: %s %s/%d", netdev_get(i)->name,
                    ip4addr_ntoa(a), __builtin_popcount(mask));
            kprintf(" gw %s%s\n", ip4addr_ntoa(netif_ip4_gw(&net.nif[i])),
                    dhcp_supplied_address(&net.nif[i]) ? " (dhcp)" : "");
        }
    }
}

/* Until a driver provides devices, there are none. */
__attribute__((weak)) int netdev_count(void)
{
    return 0;
}

__attribute__((weak)) struct netdev *netdev_get(int i)
{
    return NULL;
}

__attribute__((weak)) int netdev_tx(struct netdev *dev,
                                    const struct netdev_piece *p, int n)
{
    return -EIO;
}

__attribute__((weak)) void netdev_tx_hold(void)
{
}

__attribute__((weak)) void netdev_tx_release(void)
{
}
