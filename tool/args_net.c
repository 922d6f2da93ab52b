/*
 * tool/args_net.c — --net, -p, --ip, --gateway and --dns (see
 * args_net.h).  Addresses are IPv4 only: QEMU's user networking forwards
 * IPv4 host ports, and the kernel's static configuration is IPv4.  The
 * values are kept normalised in struct run_net; qemu_net.c turns them into
 * QEMU options and kernel command-line words.
 */
#include <stdio.h>
#include <string.h>

#include "args_files.h"
#include "args_net.h"

#define IFNAMSIZ_MAX 15 /* Linux IFNAMSIZ, less the NUL */

/* Up to MAX decimal digits of S[0..n) without a leading zero into *out
 * (at most LIMIT); 0, or -1. */
static int parse_uint(const char *s, size_t n, size_t max, unsigned limit,
                      unsigned *out)
{
    unsigned v = 0;

    if (n == 0 || n > max || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > limit)
        return -1;
    *out = v;
    return 0;
}

int args_parse_ip4(const char *s, size_t n, uint32_t *out)
{
    const char *end = s + n;
    uint32_t v = 0;

    for (int part = 0; part < 4; part++) {
        const char *dot = memchr(s, '.', (size_t)(end - s));
        const char *stop = part < 3 ? dot : end;
        unsigned byte;
        if (stop == NULL || (part == 3 && dot != NULL) ||
            parse_uint(s, (size_t)(stop - s), 3, 255, &byte) != 0)
            return -1;
        v = v << 8 | byte;
        s = stop + 1;
    }
    *out = v;
    return 0;
}

static void format_ip4(uint32_t v, char *buf, size_t size)
{
    snprintf(buf, size, "%u.%u.%u.%u", v >> 24, v >> 16 & 255, v >> 8 & 255,
             v & 255);
}

/* Neither "this network" (0/8), loopback (127/8), nor multicast and
 * above (224/3): an address an interface or gateway can have. */
static int ip4_is_host(uint32_t v)
{
    return v >> 24 != 0 && v >> 24 != 127 && v < 0xe0000000u;
}

static uint32_t prefix_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : ~0u << (32 - prefix);
}

int args_set_net(struct run_args *a, const char *v)
{
    struct run_net *n = &a->net;
    const char *tap = strncmp(v, "tap:", 4) == 0 ? v + 4 : NULL;

    if (strcmp(v, "user") == 0) {
        n->mode = RUN_NET_USER;
    } else if (strcmp(v, "none") == 0) {
        n->mode = RUN_NET_NONE;
    } else if (tap != NULL) {
        /* Linux's dev_valid_name(), less ',' (QEMU's option separator). */
        if (tap[0] == '\0' || strlen(tap) > IFNAMSIZ_MAX ||
            strcmp(tap, ".") == 0 || strcmp(tap, "..") == 0 ||
            tap[strcspn(tap, "/:, \t\n")] != '\0')
            return args_fail(a,
                             "--net: '%s': invalid interface name (want "
                             "tap:IFNAME, 1 to 15 characters without "
                             "'/', ':', ',' or spaces)",
                             v);
        n->mode = RUN_NET_TAP;
        snprintf(n->tap, sizeof(n->tap), "%s", tap);
    } else {
        return args_fail(a,
                         "--net: unknown network '%s' (want user, "
                         "tap:IFNAME or none)",
                         v);
    }
    return RUN_ARGS_OK;
}

/* "tcp" or "udp" after the '/' of a -p value, if any. */
static int fwd_proto(struct run_args *a, struct run_fwd *f, const char *proto)
{
    if (proto == NULL || strcmp(proto, "tcp") == 0)
        return RUN_ARGS_OK;
    if (strcmp(proto, "udp") == 0) {
        f->udp = 1;
        return RUN_ARGS_OK;
    }
    return args_fail(a, "-p %s: unknown protocol '%s' (want tcp or udp)",
                     f->spec, proto);
}

/* HOSTIP of a -p value: its first n bytes, or, when it has none (S is
 * NULL), 127.0.0.1: a guest port is not published to the world unless
 * the user says so. */
static int fwd_host_ip(struct run_args *a, struct run_fwd *f, const char *s,
                       size_t n)
{
    uint32_t ip = 0x7f000001;

    if (s != NULL && n == 0)
        return args_fail(a,
                         "-p %s: empty host address (leave out the ':' "
                         "for 127.0.0.1)",
                         f->spec);
    if (s != NULL && args_parse_ip4(s, n, &ip) != 0)
        return args_fail(a,
                         "-p %s: host address '%.*s' is not an IPv4 "
                         "address (like 127.0.0.1 or 0.0.0.0)",
                         f->spec, (int)n, s);
    if (ip >= 0xe0000000u)
        return args_fail(a, "-p %s: host address '%.*s' is not unicast",
                         f->spec, (int)n, s);
    format_ip4(ip, f->host_ip, sizeof(f->host_ip));
    return RUN_ARGS_OK;
}

/* A port of a -p value: S[0..n), named WHICH in messages. */
static int fwd_port(struct run_args *a, struct run_fwd *f, const char *which,
                    const char *s, size_t n, unsigned *port)
{
    if (parse_uint(s, n, 5, 65535, port) != 0 || *port == 0)
        return args_fail(a,
                         "-p %s: invalid %s port '%.*s' (want 1 to "
                         "65535)",
                         f->spec, which, (int)n, s);
    return RUN_ARGS_OK;
}

/* [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp], split from the right. */
int args_add_fwd(struct run_args *a, const char *v)
{
    struct run_fwd *f = &a->net.fwd[a->net.nfwd];
    const char *slash = strchr(v, '/'), *end = slash ? slash : v + strlen(v);
    const char *c2 = memrchr(v, ':', (size_t)(end - v)), *c1;
    int r;

    if (a->net.nfwd >= RUN_FWD_MAX)
        return args_fail(a, "-p %s: at most %d -p rules", v, RUN_FWD_MAX);
    memset(f, 0, sizeof(*f));
    f->spec = v;
    c1 = c2 != NULL ? memrchr(v, ':', (size_t)(c2 - v)) : NULL;
    if (c2 == NULL)
        return args_fail(a,
                         "-p %s: want [HOSTIP:]HOSTPORT:GUESTPORT[/tcp|/udp],"
                         " e.g. -p 8080:80",
                         v);
    r = fwd_proto(a, f, slash != NULL ? slash + 1 : NULL);
    if (r == RUN_ARGS_OK)
        r = fwd_host_ip(a, f, c1 != NULL ? v : NULL,
                        c1 != NULL ? (size_t)(c1 - v) : 0);
    if (r == RUN_ARGS_OK) {
        const char *hp = c1 != NULL ? c1 + 1 : v;
        r = fwd_port(a, f, "host", hp, (size_t)(c2 - hp), &f->host_port);
    }
    if (r == RUN_ARGS_OK)
        r = fwd_port(a, f, "guest", c2 + 1, (size_t)(end - c2 - 1),
                     &f->guest_port);
    if (r == RUN_ARGS_OK)
        a->net.nfwd++;
    return r;
}

/* V as one IPv4 address that passes OK into OUT; WHAT names the option. */
static int set_addr(struct run_args *a, const char *what, const char *v,
                    int (*ok)(uint32_t), char *out, size_t size)
{
    uint32_t ip;

    if (out[0] != '\0')
        return args_fail(a, "%s given twice", what);
    if (args_parse_ip4(v, strlen(v), &ip) != 0)
        return args_fail(a, "%s: '%s' is not an IPv4 address (like 10.0.2.2)",
                         what, v);
    if (!ok(ip))
        return args_fail(a, "%s: '%s' is not a usable address", what, v);
    format_ip4(ip, out, size);
    return RUN_ARGS_OK;
}

int args_set_ip(struct run_args *a, const char *v)
{
    const char *slash = strchr(v, '/');
    uint32_t ip, mask;
    unsigned prefix;

    if (a->net.ip[0] != '\0')
        return args_fail(a, "--ip given twice");
    if (strcmp(v, RUN_IP_DHCP) == 0) {
        snprintf(a->net.ip, sizeof(a->net.ip), "%s", RUN_IP_DHCP);
        return RUN_ARGS_OK;
    }
    if (slash == NULL || args_parse_ip4(v, (size_t)(slash - v), &ip) != 0)
        return args_fail(a,
                         "--ip: '%s': want ADDR/PREFIX, e.g. 10.0.2.15/24, "
                         "or dhcp",
                         v);
    if (parse_uint(slash + 1, strlen(slash + 1), 2, 32, &prefix) != 0 ||
        prefix == 0)
        return args_fail(a,
                         "--ip: '%s': invalid prefix length '%s' (want 1 "
                         "to 32)",
                         v, slash + 1);
    mask = prefix_mask(prefix);
    /* The subnet's own and its broadcast address, when it has both. */
    if (!ip4_is_host(ip) ||
        (prefix <= 30 && ((ip & ~mask) == 0 || (ip | mask) == ~0u)))
        return args_fail(a, "--ip: '%s' is not a usable host address", v);
    format_ip4(ip, a->net.ip, sizeof(a->net.ip));
    snprintf(a->net.ip + strlen(a->net.ip),
             sizeof(a->net.ip) - strlen(a->net.ip), "/%u", prefix);
    return RUN_ARGS_OK;
}

int args_set_gateway(struct run_args *a, const char *v)
{
    return set_addr(a, "--gateway", v, ip4_is_host, a->net.gateway,
                    sizeof(a->net.gateway));
}

/* A name server may be anything unicast, the guest's own loopback too. */
static int ip4_is_dns(uint32_t v)
{
    return v >> 24 != 0 && v < 0xe0000000u;
}

int args_set_dns(struct run_args *a, const char *v)
{
    return set_addr(a, "--dns", v, ip4_is_dns, a->net.dns, sizeof(a->net.dns));
}

/* The gateway must be on the --ip subnet: the guest reaches it directly. */
static int check_gateway(struct run_args *a)
{
    const struct run_net *n = &a->net;
    const char *slash = strchr(n->ip, '/');
    uint32_t ip, gw, mask;
    unsigned prefix;

    if (n->ip[0] == '\0' || strcmp(n->ip, RUN_IP_DHCP) == 0)
        return args_fail(a,
                         "--gateway %s needs --ip ADDR/PREFIX (with DHCP "
                         "the gateway comes from the DHCP server)",
                         n->gateway);
    args_parse_ip4(n->ip, (size_t)(slash - n->ip), &ip);
    args_parse_ip4(n->gateway, strlen(n->gateway), &gw);
    parse_uint(slash + 1, strlen(slash + 1), 2, 32, &prefix);
    mask = prefix_mask(prefix);
    if (gw == ip)
        return args_fail(a, "--gateway %s: that is the guest's own --ip",
                         n->gateway);
    if ((gw & mask) != (ip & mask))
        return args_fail(a, "--gateway %s: outside the guest's subnet %s",
                         n->gateway, n->ip);
    return RUN_ARGS_OK;
}

/* Two rules QEMU could not both bind: one protocol, one port, and the
 * same host address or either the wildcard. */
static int fwd_clash(const struct run_fwd *x, const struct run_fwd *y)
{
    return x->udp == y->udp && x->host_port == y->host_port &&
           (strcmp(x->host_ip, y->host_ip) == 0 ||
            strcmp(x->host_ip, "0.0.0.0") == 0 ||
            strcmp(y->host_ip, "0.0.0.0") == 0);
}

int args_net_check(struct run_args *a)
{
    const struct run_net *n = &a->net;

    if (n->nfwd > 0 && n->mode != RUN_NET_USER)
        return args_fail(a,
                         "-p %s needs --net user (QEMU forwards host "
                         "ports only with user networking)",
                         n->fwd[0].spec);
    if (n->mode == RUN_NET_NONE &&
        (n->ip[0] != '\0' || n->gateway[0] != '\0' || n->dns[0] != '\0'))
        return args_fail(a, "--net none: no interface for --ip, --gateway "
                            "or --dns to configure");
    if (n->gateway[0] != '\0' && check_gateway(a) != RUN_ARGS_OK)
        return RUN_ARGS_ERROR;
    for (int i = 0; i < n->nfwd; i++)
        for (int j = 0; j < i; j++)
            if (fwd_clash(&n->fwd[i], &n->fwd[j]))
                return args_fail(a, "-p %s and -p %s both use host port %u/%s",
                                 n->fwd[j].spec, n->fwd[i].spec,
                                 n->fwd[i].host_port,
                                 n->fwd[i].udp ? "udp" : "tcp");
    return RUN_ARGS_OK;
}
