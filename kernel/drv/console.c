/*
 * drv/console.c — the serial console (16550 UART at 0x3f8).  Every byte
 * goes through the framing of include/gorump/console.h, which lets one port
 * carry the program's stdout, its stderr and the kernel's messages apart.
 * The transmitter is polled: wait for an empty FIFO, then write up to 16
 * bytes, so output is never dropped when the host reads slowly.  The
 * receiver interrupts (IRQ 4 through the I/O APIC) and carries the host's
 * records: the program's stdin and signals for it, both handed to
 * callbacks the layers above register.  The kernel stream is a kmsg sink
 * (lib/kmsg.c): kprintf and panic write here without calling drv/.
 *
 * Once a virtio-console port is up (virtio_console.c), the output stream
 * moves there: a DLE 'v' record on the serial port says so, and the same
 * framed bytes continue on the port, a buffer per notification instead
 * of a port write per byte.  A panic moves it back (DLE 'b' on the port,
 * drained, then the serial port), as does a port that stops working.
 */
#include "drv/drv.h"
#include "arch/x86_64/arch.h"
#include "gorump/console.h"

#define COM1 0x3f8
#define COM1_GSI 4
#define LSR_DR 0x01
#define LSR_THRE 0x20

static struct {
    enum console_stream cur; /* stream the host is decoding */
    unsigned room;           /* bytes the FIFO takes before the next poll */
    uint64_t first_output;   /* TSC of the program's first output */
    unsigned nrx;            /* bytes of the host's record so far */
    bool port;               /* output goes to the virtio-console port */
} con;

/* The program's stdin: a ring the receive interrupt fills.  The host has
 * no more than GORUMP_STDIN_WINDOW unread bytes in flight (given back as
 * credits), so the ring never fills and the port is always drained, and a
 * record behind stdin the program does not read still comes in; the pause
 * is a safety net. */
#define STDIN_RING (2 * GORUMP_STDIN_WINDOW) /* more than may come */
static struct {
    bool attached, eof, paused; /* paused: the ring was full */
    uint8_t buf[STDIN_RING];
    size_t head, len;
    size_t consumed; /* read, not yet given back as a credit */
    void (*notify)(void);
    void (*signal)(int sig);
} in;

static const char stream_code[] = {
    [CON_KERNEL] = GORUMP_CON_KERNEL,
    [CON_STDOUT] = GORUMP_CON_STDOUT,
    [CON_STDERR] = GORUMP_CON_STDERR,
};

static void sink_write(const char *buf, size_t n);
static void sink_stop(int status, bool panicked);
static struct kmsg_sink sink = {.write = sink_write, .stop = sink_stop};

void console_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* enable and clear FIFOs; receive trigger 14 */
    con.cur = CON_KERNEL;
    kmsg_sink_add(&sink);
}

static void put(uint8_t c);
static void record(uint8_t code);

static void stdin_put(uint8_t c)
{
    if (!in.attached || in.eof)
        return;
    in.buf[(in.head + in.len) % STDIN_RING] = c;
    in.len++;
}

/* One byte from the host: stdin data, or part of a record (DLE, a code,
 * and for a signal its number). */
static void receive(uint8_t c)
{
    if (con.nrx == 0) {
        if (c == GORUMP_CON_ESC)
            con.nrx = 1;
        else
            stdin_put(c);
        return;
    }
    if (con.nrx == 1) {
        con.nrx = 0;
        if (c == GORUMP_CON_ESC)
            stdin_put(c);
        else if (c == GORUMP_CON_STDIN_EOF)
            in.eof = true;
        else if (c == GORUMP_CON_SIGNAL)
            con.nrx = 2; /* its number comes next */
        return;          /* other codes: unknown, dropped */
    }
    con.nrx = 0;
    if (in.signal)
        in.signal(c);
}

/* Takes what the UART holds, unless the ring is full: then the UART keeps
 * it and its interrupt is off until the program reads (backpressure). */
static void rx_drain(void)
{
    size_t before = in.len;
    bool eof = in.eof;
    while (inb(COM1 + 5) & LSR_DR) {
        if (in.len == STDIN_RING) {
            in.paused = true;
            outb(COM1 + 1, 0x00);
            break;
        }
        receive(inb(COM1));
    }
    if ((in.len != before || in.eof != eof) && in.notify)
        in.notify();
}

static void rx_irq(struct trapframe *tf)
{
    (void)tf;
    rx_drain();
}

bool console_stdin_attached(void)
{
    return in.attached;
}

size_t console_stdin_avail(void)
{
    return in.len;
}

bool console_stdin_eof(void)
{
    return in.eof;
}

size_t console_stdin_peek(void *buf, size_t n)
{
    uint8_t *p = buf;
    n = MIN(n, in.len);
    for (size_t i = 0; i < n; i++)
        p[i] = in.buf[(in.head + i) % STDIN_RING];
    return n;
}

void console_stdin_consume(size_t n)
{
    n = MIN(n, in.len);
    in.head = (in.head + n) % STDIN_RING;
    in.len -= n;
    for (in.consumed += n; in.consumed >= GORUMP_STDIN_CREDIT;
         in.consumed -= GORUMP_STDIN_CREDIT)
        record(GORUMP_CON_CREDIT);
    console_flush();
    if (in.paused && n > 0) {
        in.paused = false;
        outb(COM1 + 1, 0x01);
        rx_drain();
    }
}

void console_stdin_notify(void (*fn)(void))
{
    in.notify = fn;
}

void console_signal_notify(void (*fn)(int sig))
{
    in.signal = fn;
}

void console_rx_init(void)
{
    int vec = irq_vector_alloc();
    if (vec < 0 || ioapic_route(COM1_GSI, (uint8_t)vec) != 0) {
        kprintf("gorump: no serial receive interrupt: signals from the "
                "host will not reach the program\n");
        return;
    }
    in.attached = cmdline_has("gorump.stdin");
    irq_register((uint8_t)vec, rx_irq);
    outb(COM1 + 4, 0x0b); /* DTR, RTS, OUT2 (gates the IRQ line) */
    outb(COM1 + 1, 0x01); /* interrupt on received data */
    ioapic_unmask(COM1_GSI);
    rx_irq(NULL); /* what came before: the line has already risen */
    /* Tell the host to send its records from now on (the stream the
     * host decodes does not change). */
    record(GORUMP_CON_READY);
    console_flush();
}

static void serial_put(uint8_t c)
{
    if (con.room == 0) {
        while (!(inb(COM1 + 5) & LSR_THRE))
            ;
        con.room = 16;
    }
    outb(COM1, c);
    con.room--;
}

/* Moves the stream back to the serial port for good: what the port
 * holds reaches the host first (the tool reads the serial port's bytes
 * only after the port's DLE 'b'). */
static void back_to_serial(void)
{
    uint8_t r[2] = {GORUMP_CON_ESC, GORUMP_CON_BACK};
    con.port = false;
    if (!vcon_up())
        return;
    vcon_put(r, 2);
    vcon_drain();
}

/* n bytes of the framed stream, to whichever transport carries it.  A
 * panic's messages go by the serial port, the one path that needs
 * nothing else of the kernel to work. */
static void out(const uint8_t *p, size_t n)
{
    if (con.port && kmsg_panicking())
        back_to_serial();
    if (con.port && vcon_up()) {
        vcon_put(p, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        serial_put(p[i]);
}

static void put(uint8_t c)
{
    out(&c, 1);
}

static void record(uint8_t code)
{
    uint8_t r[2] = {GORUMP_CON_ESC, code};
    out(r, 2);
}

static void switch_to(enum console_stream s)
{
    if (con.cur == s)
        return;
    record((uint8_t)stream_code[s]);
    con.cur = s;
}

void console_use_port(void)
{
    if (!vcon_up() || con.port)
        return;
    record(GORUMP_CON_MOVED); /* on the serial port: the last byte there */
    con.port = true;
}

void console_port_lost(const char *why)
{
    if (!con.port)
        return;
    con.port = false;
    kprintf("gorump: virtio-console: %s; output goes to the serial port\n",
            why);
}

int console_reserve(size_t n)
{
    if (!con.port || !vcon_up())
        return 0;
    return vcon_reserve(n);
}

void console_room_notify(void (*fn)(void))
{
    vcon_room_notify(fn);
}

void console_append(enum console_stream s, const void *buf, size_t n)
{
    const uint8_t *p = buf, *end = p + n;
    if (s != CON_KERNEL && !con.first_output)
        con.first_output = rdtsc();
    switch_to(s);
    while (p < end) {
        const uint8_t *esc = memchr(p, GORUMP_CON_ESC, (size_t)(end - p));
        size_t run = esc ? (size_t)(esc - p) + 1 : (size_t)(end - p);
        out(p, run); /* up to and with the DLE, which is doubled */
        if (esc)
            put(GORUMP_CON_ESC);
        p += run;
    }
}

void console_flush(void)
{
    if (con.port)
        vcon_flush();
}

void console_write(enum console_stream s, const void *buf, size_t n)
{
    console_append(s, buf, n);
    console_flush();
}

uint64_t console_first_output_ns(void)
{
    return con.first_output ? clock_tsc_to_ns(con.first_output - boot_tsc) : 0;
}

static void sink_write(const char *buf, size_t n)
{
    console_write(CON_KERNEL, buf, n);
}

/* The last record, then wait until the transmitter is empty (LSR bit 6:
 * FIFO and shift register) so the host sees every byte before QEMU
 * stops. */
static void sink_stop(int status, bool panicked)
{
    if (panicked) {
        record(GORUMP_CON_PANIC);
    } else {
        record(GORUMP_CON_EXIT);
        put((uint8_t)status);
    }
    if (con.port)
        vcon_drain();
    while (!(inb(COM1 + 5) & 0x40))
        ;
}
