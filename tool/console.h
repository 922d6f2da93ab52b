/*
 * tool/console.h — decoding the guest's serial byte stream
 * (include/gorump/console.h) into stdout, stderr and kernel output plus the
 * exit and panic records.  A pure state machine: feed it chunks of any
 * size, split anywhere, and it calls emit() with runs of decoded bytes.
 */
#ifndef GORUMP_TOOL_CONSOLE_H
#define GORUMP_TOOL_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

enum con_state {
    CON_DATA,   /* bytes belong to the current stream */
    CON_ESC,    /* after DLE: the record's code comes next */
    CON_STATUS, /* after DLE 'x': the status byte comes next */
};

/* What the guest said in its records, and where the stream is. */
struct con_decoder {
    enum con_state state;
    int stream;       /* GORUMP_CON_STDOUT, _STDERR or _KERNEL */
    int exit_status;  /* from the first DLE 'x', or -1 */
    int panicked;     /* a DLE 'p' was seen */
    int first_record; /* GORUMP_CON_EXIT or _PANIC, whichever came first; 0 */
    int ready;        /* DLE 'r' seen: the kernel takes host records */
    uint64_t credits; /* DLE 'c' seen: stdin the program has read, in
                         GORUMP_STDIN_CREDIT units */
    uint64_t nbytes;  /* bytes fed so far, records included */
    int on_port;      /* after DLE 'v', until DLE 'b': the stream is on the
                         virtio-console port, not the serial port */
    int switched;     /* the last con_feed stopped at DLE 'v' or 'b' */
};

/* Receives n > 0 decoded bytes of one stream (GORUMP_CON_STDOUT...). */
typedef void con_emit_fn(void *ctx, int stream, const uint8_t *p, size_t n);

void con_init(struct con_decoder *d);

/*
 * Decodes p[0..n), calling emit(ctx, stream, ...) for each run of stream
 * bytes in order.  Unknown record codes are dropped, so a newer kernel's
 * records do not show up as garbage.  Returns the bytes decoded: all n,
 * or fewer when a DLE 'v' or DLE 'b' record moved the stream to the
 * other transport (d->switched is set; the rest of p belongs to the
 * transport the stream left, and waits until it comes back).
 */
size_t con_feed(struct con_decoder *d, const uint8_t *p, size_t n,
                con_emit_fn *emit, void *ctx);

#endif
