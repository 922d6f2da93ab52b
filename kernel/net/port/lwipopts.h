/*
 * net/port/lwipopts.h — how gorump configures lwIP 2.1.3: the raw API
 * without an OS layer (NO_SYS), driven by the kernel's timers and device
 * interrupts, IPv4 and IPv6, TCP and UDP, DHCP, loopback.  Memory comes
 * from the kernel heap, so nothing is sized in advance; lwIP itself
 * enforces none of the MEMP_NUM_* counts below then, and net/lwipfix.c
 * enforces those that bound what a peer can make it hold (ND6 queue,
 * reassembly, fragments).
 */
#ifndef GORUMP_LWIPOPTS_H
#define GORUMP_LWIPOPTS_H

#include <stddef.h>

#define NO_SYS 1
#define LWIP_SOCKET 0
#define LWIP_NETCONN 0
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_TIMERS 1

/* Memory: the kernel heap for everything. */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8
void *lwip_port_malloc(size_t n);
void *lwip_port_calloc(size_t n, size_t m);
void lwip_port_free(void *p);
#define mem_clib_malloc lwip_port_malloc
#define mem_clib_calloc lwip_port_calloc
#define mem_clib_free lwip_port_free
#define MEMP_NUM_TCP_PCB 4096
#define MEMP_NUM_TCP_PCB_LISTEN 256
#define MEMP_NUM_UDP_PCB 1024
#define MEMP_NUM_TCP_SEG 65536
#define MEMP_NUM_PBUF 65536
#define PBUF_POOL_SIZE 4096
#define MEMP_NUM_SYS_TIMEOUT 64
#define MEMP_NUM_REASSDATA 64
#define MEMP_NUM_FRAG_PBUF 256
#define MEMP_NUM_ND6_QUEUE 64
#define MEMP_NUM_ARP_QUEUE 64

/* Protocols. */
#define LWIP_IPV4 1
#define LWIP_IPV6 1
#define LWIP_IPV6_AUTOCONFIG 1
#define LWIP_IPV6_MLD 1
#define LWIP_IPV6_DHCP6 0
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define LWIP_ARP 1
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IPV6_REASS_MAXAGE 20
#define IPV6_FRAG_COPYHEADER 1
/* Loopback is net/loop.c; lwIP must not short-circuit it. */
#define LWIP_NETIF_LOOPBACK 0
#define LWIP_HAVE_LOOPIF 0 /* net/loop.c has its own */
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_SINGLE_NETIF 0
#define SO_REUSE 1
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_CALLBACK_API 1
#define LWIP_TCP_TIMESTAMPS 0

/* TCP windows: 256 KiB with window scaling, for throughput on loopback
 * and virtio alike; the send buffer is per connection. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 3
#define TCP_WND (256 * 1024)
#define TCP_SND_BUF (256 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (16 * 1024)
#define TCP_QUEUE_OOSEQ 1
/* listen(2)'s backlog bounds the connections a listener holds, as on
 * Linux: lwIP counts the half-open ones (SYN_RCVD) against it, the
 * socket layer the completed ones not yet accepted (net/tcp.c).  Past
 * it, a new SYN takes the place of the listener's least recently active
 * half-open connection (net/lwipfix.c, called through the hook). */
#define TCP_LISTEN_BACKLOG 1
struct tcp_pcb;
struct tcp_hdr;
int net_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr);
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p)         \
    net_tcp_inpacket(pcb, hdr)
#define TCP_OVERSIZE TCP_MSS
/* tcp_write copies through net_copy_sum (net/tcp.c): straight from the
 * program's buffer, summing as it copies. */
#define LWIP_CHECKSUM_ON_COPY 1
unsigned short net_copy_sum(void *dst, const void *src, unsigned short len);
#define LWIP_CHKSUM_COPY(dst, src, len) net_copy_sum(dst, src, len)

/* Per interface: TCP checksums are left to a device that offers to
 * finish them, and a received packet the device vouches for is not
 * checked again (net.c, drv/virtio_net.c). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1

#define LWIP_STATS 0
/* LWIP_DEBUG stays undefined: with it, every LWIP_ERROR check a bad
 * packet fails would print to the console, which a peer could flood. */
#define LWIP_PROVIDE_ERRNO 0

#endif
