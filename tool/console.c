/*
 * tool/console.c — the serial protocol decoder (see console.h and
 * include/gorump/console.h).  Runs of plain bytes are passed on in one
 * emit() call; state carried between calls is only the escape state, so a
 * DLE or an exit record split across chunks decodes as if it were whole.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <gorump/console.h>

#include "console.h"

void con_init(struct con_decoder *d)
{
    d->state = CON_DATA;
    d->stream = GORUMP_CON_KERNEL;
    d->exit_status = -1;
    d->panicked = 0;
    d->first_record = 0;
    d->nbytes = 0;
    d->on_port = 0;
    d->switched = 0;
}

static void con_record(struct con_decoder *d, int code)
{
    if (d->first_record == 0)
        d->first_record = code;
}

/* The byte after a DLE; returns 1 if it is a literal DLE to emit. */
static int con_escape(struct con_decoder *d, uint8_t c)
{
    d->state = CON_DATA;
    switch (c) {
    case GORUMP_CON_ESC:
        return 1;
    case GORUMP_CON_STDOUT:
    case GORUMP_CON_STDERR:
    case GORUMP_CON_KERNEL:
        d->stream = c;
        return 0;
    case GORUMP_CON_EXIT:
        d->state = CON_STATUS;
        return 0;
    case GORUMP_CON_PANIC:
        d->panicked = 1;
        con_record(d, GORUMP_CON_PANIC);
        return 0;
    case GORUMP_CON_READY:
        d->ready = 1;
        return 0;
    case GORUMP_CON_CREDIT:
        d->credits++;
        return 0;
    case GORUMP_CON_MOVED:
        d->on_port = 1;
        d->switched = 1;
        return 0;
    case GORUMP_CON_BACK:
        d->on_port = 0;
        d->switched = 1;
        return 0;
    }
    return 0; /* unknown record: dropped */
}

static void con_status(struct con_decoder *d, uint8_t c)
{
    d->state = CON_DATA;
    if (d->exit_status < 0)
        d->exit_status = c;
    con_record(d, GORUMP_CON_EXIT);
}

size_t con_feed(struct con_decoder *d, const uint8_t *p, size_t n,
                con_emit_fn *emit, void *ctx)
{
    static const uint8_t dle = GORUMP_CON_ESC;
    size_t i = 0, run;

    d->switched = 0;
    while (i < n && !d->switched) {
        if (d->state == CON_ESC) {
            if (con_escape(d, p[i++]))
                emit(ctx, d->stream, &dle, 1);
        } else if (d->state == CON_STATUS) {
            con_status(d, p[i++]);
        } else if (p[i] == GORUMP_CON_ESC) {
            d->state = CON_ESC;
            i++;
        } else {
            const uint8_t *esc = memchr(p + i, GORUMP_CON_ESC, n - i);
            run = esc != NULL ? (size_t)(esc - p) : n;
            emit(ctx, d->stream, p + i, run - i);
            i = run;
        }
    }
    d->nbytes += i;
    return i;
}
