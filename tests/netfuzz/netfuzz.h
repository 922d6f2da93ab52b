/*
 * tests/netfuzz/netfuzz.h — a host program that speaks raw Ethernet to a
 * gorump guest over QEMU's stream netdev (GORUMP_TEST_NETDEV) and throws
 * seeded hostile frames at it (storm.c), checking before and after that
 * the guest's server (tests/go/netfuzzd) still answers ping, UDP and TCP
 * through a small TCP/IP peer of its own (peer.c), that no frame the
 * guest sent was malformed, and that lwIP's memory (/proc/net/lwip) comes
 * back to where it was.  docs/SECURITY.md describes what it sends.
 */
#ifndef NETFUZZ_H
#define NETFUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 4096
#define ETH_HLEN 14
#define ETH_IP4 0x0800
#define ETH_ARP 0x0806
#define ETH_IP6 0x86dd
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMP6 58
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define SERVER_PORT 7000

/* The host's side: one MAC and IPv4 address (the guest's gateway), and
 * the guest's, whose MAC is learnt from its frames. */
extern const uint8_t host_mac[6], host_ip[4], guest_ip[4], host_ip6[16];
extern uint8_t guest_mac[6], guest_ip6[16];

/* --- link.c: the stream socket to QEMU and frame building */
struct frame {
    uint8_t b[FRAME_MAX];
    size_t len;
};
/* Called for every frame the guest sends while the link is pumped. */
typedef void (*link_rx_fn)(const uint8_t *f, size_t len);
int link_listen(const char *path);
int link_accept(int lfd, int timeout_ms);
void link_set_rx(link_rx_fn fn);
/* FN (or NULL: none) runs on every turn of link_pump, which then waits at
 * most 2 ms for frames: traffic in the background of the checks. */
void link_set_idle(void (*fn)(void));
/* Sends one frame (pumping received ones meanwhile): 0, or -1 when the
 * link is gone. */
int link_send(const uint8_t *f, size_t len);
/* Receives and dispatches frames for up to ms milliseconds, or until
 * *done becomes true. -1 when the link is gone. */
int link_pump(int ms, const bool *done);
uint64_t now_ms(void);

uint16_t csum_add(uint32_t sum, const void *p, size_t n);
uint16_t csum_fold(uint32_t sum);
uint32_t csum_partial(uint32_t sum, const void *p, size_t n);
/* The Internet checksum of a transport segment with its IPv4 or IPv6
 * pseudo-header (RFC 793 §3.1, RFC 8200 §8.1). */
uint16_t l4_csum4(const uint8_t *src, const uint8_t *dst, int proto,
                  const uint8_t *seg, size_t len);
uint16_t l4_csum6(const uint8_t *src, const uint8_t *dst, int proto,
                  const uint8_t *seg, size_t len);
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);
/* Writes an Ethernet header; returns its length. */
size_t eth_hdr(uint8_t *f, const uint8_t *dst, const uint8_t *src, int type);
/* Writes a 20-byte IPv4 header with a correct checksum for a payload of
 * plen bytes. */
void ip4_hdr(uint8_t *h, int proto, const uint8_t *src, const uint8_t *dst,
             size_t plen, uint16_t id);
void ip6_hdr(uint8_t *h, int nh, const uint8_t *src, const uint8_t *dst,
             size_t plen);

/* --- peer.c: the well-behaved host the liveness checks use */
void peer_rx(const uint8_t *f, size_t len);
bool peer_ping(int seq);
bool peer_udp(int n);
/* A TCP connection to the server's port: sends the line, reads up to
 * the end marker, closes with RST.  The answer (NUL-terminated) or NULL. */
const char *peer_tcp(const char *line, const char *end, size_t max);
/* How many frames from the guest were malformed (bad lengths or
 * checksums): must stay 0. */
extern unsigned long peer_bad_frames;
/* Where SYN-ACKs to the storm's SYNs are recorded (storm.c resets
 * them afterwards). */
void peer_reset_half_open(void);

/* --- storm.c: hostile frames */
struct rng {
    uint64_t s;
};
uint64_t rng_next(struct rng *r);
uint32_t rng_below(struct rng *r, uint32_t n);
/* Frame number i of the storm from seed: the same bytes every run.  Its
 * kind, or -1 (and no frame) when that kind is not in the mask KINDS. */
int storm_frame(uint64_t seed, uint64_t i, struct frame *f, uint32_t kinds);
/* --- synflood.c: TOTAL SYNs to the server's port while a client asks
 * it for STAT: whether it answered and kept its half-open connections
 * within its backlog. */
bool synflood(uint64_t seed, uint64_t total);
/* main.c: the number after "KEY " in a STAT answer (NULL: none), or -1. */
long stat_value(const char *text, const char *key);

/* The kinds storm_frame makes, for the summary. */
extern unsigned long storm_kinds[];
extern const char *const storm_kind_names[];
int storm_nkinds(void);

#endif
