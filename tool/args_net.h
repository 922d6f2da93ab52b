/*
 * tool/args_net.h — the network options of `gorump run`: --net, -p,
 * --ip, --gateway and --dns.  Internal to args.c and args_net.c; everyone
 * else reads struct run_net.  Each option is checked on its own as it is
 * read, then args_net_check() checks them against each other.
 */
#ifndef GORUMP_TOOL_ARGS_NET_H
#define GORUMP_TOOL_ARGS_NET_H

#include <stddef.h>
#include <stdint.h>

#include "args.h"

/* --net user|tap:IFNAME|none, -p RULE, --ip ADDR/PREFIX, --gateway IP,
 * --dns IP: each RUN_ARGS_OK or RUN_ARGS_ERROR. */
int args_set_net(struct run_args *a, const char *v);
int args_add_fwd(struct run_args *a, const char *v);
int args_set_ip(struct run_args *a, const char *v);
int args_set_gateway(struct run_args *a, const char *v);
int args_set_dns(struct run_args *a, const char *v);

/* After the last option: -p only with user networking, --gateway only
 * with --ip and inside its subnet, no addresses for --net none, no two
 * rules on one host port. */
int args_net_check(struct run_args *a);

/* The N bytes at S as a strict dotted quad ("10.0.2.15": four decimal
 * parts 0-255 without leading zeros) into *out, host byte order.  0, or -1
 * if malformed. */
int args_parse_ip4(const char *s, size_t n, uint32_t *out);

#endif
