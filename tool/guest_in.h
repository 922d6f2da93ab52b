/*
 * tool/guest_in.h — what the tool sends the guest over the serial port's
 * input (QEMU's stdin): the program's stdin with `gorump run -i`, and
 * signal records, in the framing of include/gorump/console.h.  Everything
 * waits in a small queue until the kernel has said it takes input (its
 * DLE 'r'); our own stdin is read only when the queue is empty, so a
 * program that does not read holds the host back instead of losing data.
 */
#ifndef GORUMP_TOOL_GUEST_IN_H
#define GORUMP_TOOL_GUEST_IN_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_IN_CHUNK 4096

struct guest_in {
    int fd;        /* QEMU's stdin, non-blocking; -1 if none */
    int src;       /* the stdin to pass on, or -1 */
    int src_eof;   /* src has ended and DLE 'e' is queued */
    uint64_t sent; /* stdin bytes queued so far (before escaping) */
    size_t n;      /* queued bytes */
    uint8_t buf[2 * GUEST_IN_CHUNK + 16]; /* room for a chunk, escaped,
                                             and the records */
};

void guest_in_init(struct guest_in *in, int fd, int src);

/* Queues a signal record; 0, or -1 if there is no input to send it on. */
int guest_in_signal(struct guest_in *in, int sig);

/* Whether to poll src for reading, and fd for writing, given whether the
 * kernel has said it takes input and how many credits it gave back. */
int guest_in_want_read(const struct guest_in *in, int ready, uint64_t credits);
int guest_in_want_write(const struct guest_in *in, int ready);

/* Reads what the window allows of src into the queue (or queues DLE 'e'
 * at its end). */
void guest_in_read(struct guest_in *in, uint64_t credits);

/* Writes what the queue holds, as far as fd takes it; 0, or -1 if fd
 * failed (QEMU has gone). */
int guest_in_flush(struct guest_in *in, int ready);

#endif
