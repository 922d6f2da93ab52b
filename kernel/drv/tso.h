/*
 * drv/tso.h — TCP segmentation offload from the driver's side: lwIP cuts
 * a stream into segments of one MSS, and a device that offers TSO (virtio's
 * HOST_TSO4/HOST_TSO6) can take one large segment and cut it itself.  A
 * struct tso joins the consecutive segments of one TCP flow, as the stack
 * hands them over in one burst, back into one such segment, so the device
 * sees one frame (and one notification) where it saw dozens.
 *
 * What joins (tso_add): TCP over IPv4 (not a fragment) or over IPv6 (TCP
 * the first header), with data, flags ACK, or ACK|PSH on the last one;
 * every header byte the same as the first segment's but the IP length,
 * IPv4 ID and checksums and the sequence number, which must follow on;
 * every segment but the last exactly as long as the first (that length is
 * the MSS the device cuts at).  Anything else ends the held segment, as a
 * short or PSH segment does.  Pure logic on bytes: no device, no memory
 * of its own (tests/unit/test_tso.c).
 */
#ifndef DRV_TSO_H
#define DRV_TSO_H

#include "drv/netdev.h"

#define TSO_SEGS_MAX 64
/* The most header bytes a segment can have: Ethernet, IPv4 with 40
 * bytes of options, TCP with 40. */
#define TSO_HDR_MAX (14 + 60 + 60)
/* virtio 1.1 §5.1.6: gso_type */
#define TSO_GSO_NONE 0
#define TSO_GSO_TCPV4 1
#define TSO_GSO_TCPV6 4

struct tso {
    uint8_t *buf;      /* the joined Ethernet frame; the caller's memory */
    size_t cap;        /* bytes buf holds (at most 65535 of IP) */
    size_t len;        /* bytes in buf; 0: nothing held */
    size_t l4, hlen;   /* offsets of the TCP header and of the payload */
    size_t mss;        /* the first segment's payload length */
    uint32_t next_seq; /* what the next segment's sequence number must be */
    unsigned segs;
    bool v6;
    bool closed;           /* a short or PSH segment came: nothing more joins */
    bool want_v4, want_v6; /* what the device takes */
};

/* The offset of the TCP header of an Ethernet frame of len bytes with
 * the pseudo-header's folded sum (for the TCP length the frame's IP
 * header gives) in *pseudo (RFC 793 §3.1, RFC 8200 §8.1), or 0: not
 * IPv4 or IPv6 TCP, an IPv4 fragment, or too short. */
size_t tso_tcp_offset(const uint8_t *f, size_t len, uint16_t *pseudo);

/* Takes the frame made of pieces p[0..n) (len bytes in all) into t:
 * true when it was joined to what t holds (only its payload is copied),
 * or, with nothing held, taken as the first segment; false when it must
 * go on its own (the caller ends what t holds first, then sends it). */
bool tso_add(struct tso *t, const struct netdev_piece *p, int n, size_t len);

/* Ends what t holds: sets its lengths and the IPv4 header checksum, puts
 * the TCP pseudo-header sum in its checksum field, and fills the 10
 * bytes of a virtio-net header before the frame's (flags NEEDS_CSUM,
 * gso_type, hdr_len, gso_size, csum_start, csum_offset; GSO_NONE for a
 * single segment).  Returns the frame's length; t holds nothing after. */
size_t tso_end(struct tso *t, uint8_t hdr[10]);

/* For a TCP segment (f, len bytes), the device to finish its checksum:
 * the pseudo-header sum in its checksum field, and hdr (a virtio-net
 * header's first 10 bytes) NEEDS_CSUM with csum_start and csum_offset.
 * For any other frame hdr is all zero and false is returned. */
bool tso_csum(uint8_t *f, size_t len, uint8_t hdr[10]);

/* Receiving: a large TCP segment (one set of headers, as a device hands
 * over what the host's stack did not cut: virtio's GUEST_TSO4/6), the
 * frame made of pieces p[0..np) of len bytes in all, its headers within
 * the first TSO_HDR_MAX, to be cut at mss.  tso_cut_init parses it once
 * into c and returns the number of segments, or 0 for a frame that is
 * not TCP with data, an mss of 0, or a segment longer than cap.
 * tso_cut then makes segment i (below that number) without copying
 * its payload: it writes the segment's headers into hdr (TSO_HDR_MAX
 * bytes) and describes the segment in out as hdr followed by the parts
 * of p its payload lies in (np + 1 pieces at most), returning how many,
 * and its length in *len.  The headers have their own IP length, IPv4
 * ID (the first's plus i) and header checksum, sequence number, FIN and
 * PSH on the last only, CWR on the first only; the TCP checksum is left
 * as the device gave it (the device vouches for the data). */
struct tso_cut {
    uint8_t h[TSO_HDR_MAX]; /* the headers */
    size_t off, hlen;       /* offsets of the TCP header and the payload */
    size_t payload, mss;
    bool v6;
};
size_t tso_cut_init(struct tso_cut *c, const struct netdev_piece *p, int np,
                    size_t len, size_t mss, size_t cap);
int tso_cut(const struct tso_cut *c, const struct netdev_piece *p, int np,
            size_t i, uint8_t *hdr, struct netdev_piece *out, size_t *len);

#endif
