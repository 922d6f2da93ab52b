/*
 * drv/drv.h — device drivers the rest of the kernel uses: the console on
 * the first serial port, speaking the framing of include/gorump/console.h.
 * It is also a kmsg sink (lib/lib.h): kernel messages and the exit and
 * panic records reach it through lib/kmsg.c.
 */
#ifndef DRV_DRV_H
#define DRV_DRV_H

#include "lib/lib.h"

enum console_stream {
    CON_KERNEL,
    CON_STDOUT,
    CON_STDERR,
};

/* Sets the UART up and adds the console as a kmsg sink; the first thing
 * kmain does, so every message has somewhere to go. */
void console_init(void);
/* Takes the host's records (include/gorump/console.h) from the serial
 * port's receive interrupt from now on. */
void console_rx_init(void);
/* The program's stdin from the host (gorump.stdin): whether it is passed
 * in at all, how many bytes wait, whether the host has ended it; peek
 * copies up to n waiting bytes, consume drops them (and lets the host send
 * more); FN is called from the interrupt when bytes or the end arrive. */
bool console_stdin_attached(void);
size_t console_stdin_avail(void);
bool console_stdin_eof(void);
size_t console_stdin_peek(void *buf, size_t n);
void console_stdin_consume(size_t n);
void console_stdin_notify(void (*fn)(void));
/* FN gets the number (any byte: the receiver checks it) of each signal
 * record the host sends, from the receive interrupt; without one they are
 * dropped. */
void console_signal_notify(void (*fn)(int sig));
/* Writes n bytes to one stream; the host tool sorts them apart. */
void console_write(enum console_stream s, const void *buf, size_t n);
/* The same in pieces, for program output (fs/dev.c): console_reserve
 * says whether n bytes of framed stream (twice the data, plus 2, at
 * worst) fit on the virtio-console port without waiting: 0, or -EAGAIN,
 * and then the function given to console_room_notify is called (from an
 * interrupt) when the device gives buffers back, so the writer can sleep
 * until then and ask again.  Then console_append the pieces and
 * console_flush to send them. */
int console_reserve(size_t n);
void console_room_notify(void (*fn)(void));
void console_append(enum console_stream s, const void *buf, size_t n);
void console_flush(void);
/* Moves the output stream to the virtio-console port if one is up
 * (vcon_probe found it); called once, at boot. */
void console_use_port(void);
/* virtio_console.c gave its port up: output goes back to the serial
 * port (the host takes it after what the port carried). */
void console_port_lost(const char *why);
/* Time from the kernel's first instruction to the program's first byte
 * on stdout or stderr (0 if none yet). */
uint64_t console_first_output_ns(void);

/* virtio_console.c: port 1 of the first virtio-console device, an
 * output-only transport for the console's framed stream.  vcon_probe
 * finds and starts it (not with gorump.serial on the command line);
 * vcon_put queues bytes (spinning while no buffer is free), vcon_flush
 * hands a partly filled buffer to the device, vcon_drain waits (10 s at
 * most) until the host has taken everything: false if the port was given
 * up.  vcon_reserve and vcon_room_notify: see console_reserve. */
void vcon_probe(const char *cmdline);
bool vcon_up(void);
int vcon_reserve(size_t n);
void vcon_room_notify(void (*fn)(void));
void vcon_put(const void *p, size_t n);
void vcon_flush(void);
bool vcon_drain(void);

#endif
