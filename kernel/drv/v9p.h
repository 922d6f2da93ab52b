/*
 * drv/v9p.h — virtio-9p devices (virtio 1.1 §5.11, "9P Transport"):
 * each carries one host directory, named by its mount tag, to which the
 * 9P client (fs/p9.c) sends one message at a time.  The message to send
 * is written into the device's tbuf; the answer arrives in rbuf.  As for
 * virtio-blk, the kernel polls for the answer with the queue's interrupts
 * off, bounded by V9P_TIMEOUT_NS: a request unanswered by then is flushed
 * (Tflush, 9P's way of abandoning a request) and fails with -EINTR; a
 * device that does not answer the flush either, or breaks the queue's
 * rules, is reset and failed, so it can no longer write into our memory.
 */
#ifndef DRV_V9P_H
#define DRV_V9P_H

#include "lib/lib.h"

#define VIRTIO_ID_9P 9
#define V9P_MAX 8                     /* devices driven at most */
#define V9P_TAG_MAX 64                /* bytes of a mount tag we accept */
#define V9P_BUF (128 * 1024)          /* bytes of a message either way */
#define V9P_TIMEOUT_NS 30000000000ULL /* 30 s: TCG and a busy host */

struct v9p {
    char tag[V9P_TAG_MAX + 1];
    uint8_t *tbuf, *rbuf; /* V9P_BUF bytes each */
    bool broken;          /* given up: every request gives -EIO */
    bool in_use;          /* a mount has it */
};

/* Finds and starts the virtio-9p devices (both transports). */
void v9p_probe(const char *cmdline);
/* The device whose mount tag is tag, or NULL. */
struct v9p *v9p_find(const char *tag);
/* Sends the tlen bytes of tbuf (a 9P message whose tag is at bytes 5-6)
 * and waits for the answer: 0 with its length in *rlen (at most
 * V9P_BUF; not yet checked in any other way), -EINTR (no answer in time:
 * flushed), -EIO (a broken device). */
int v9p_rpc(struct v9p *d, uint32_t tlen, uint32_t *rlen);

#endif
