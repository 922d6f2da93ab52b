/*
 * drv/console.c — the serial console (16550 UART at 0x3f8).  Every byte
 * goes through the framing of include/gorump/console.h, which lets one port
 * carry the program's stdout, its stderr and the kernel's messages apart.
 * The transmitter is polled: wait for an empty FIFO, then write up to 16
 * bytes, so output is never dropped when the host reads slowly.
 */
#include "drv/drv.h"
#include "arch/x86_64/arch.h"
#include "gorump/console.h"

#define COM1 0x3f8
#define LSR_THRE 0x20

static struct {
    enum console_stream cur; /* stream the host is decoding */
    unsigned room;           /* bytes the FIFO takes before the next poll */
    uint64_t first_output;   /* TSC of the program's first output */
} con;

static const char stream_code[] = {
    [CON_KERNEL] = GORUMP_CON_KERNEL,
    [CON_STDOUT] = GORUMP_CON_STDOUT,
    [CON_STDERR] = GORUMP_CON_STDERR,
};

void console_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0x07); /* enable and clear FIFOs */
    con.cur = CON_KERNEL;
}

static void put(uint8_t c)
{
    if (con.room == 0) {
        while (!(inb(COM1 + 5) & LSR_THRE))
            ;
        con.room = 16;
    }
    outb(COM1, c);
    con.room--;
}

static void switch_to(enum console_stream s)
{
    if (con.cur == s)
        return;
    put(GORUMP_CON_ESC);
    put(stream_code[s]);
    con.cur = s;
}

void console_write(enum console_stream s, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    if (s != CON_KERNEL && !con.first_output)
        con.first_output = rdtsc();
    switch_to(s);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == GORUMP_CON_ESC)
            put(GORUMP_CON_ESC);
        put(p[i]);
    }
}

uint64_t console_first_output_ns(void)
{
    return con.first_output ? clock_tsc_to_ns(con.first_output - boot_tsc) : 0;
}

void console_exit(int status)
{
    put(GORUMP_CON_ESC);
    put(GORUMP_CON_EXIT);
    put((uint8_t)status);
}

void console_panic(void)
{
    put(GORUMP_CON_ESC);
    put(GORUMP_CON_PANIC);
}

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    console_write(CON_KERNEL, buf, MIN((size_t)n, sizeof(buf) - 1));
}

__noreturn void arch_poweroff(int status)
{
    /* Wait for the FIFO to drain so the host sees every byte first. */
    while (!(inb(COM1 + 5) & 0x40))
        ;
    outb(GORUMP_DEBUG_EXIT_PORT, (uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}

__noreturn void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    __asm__ volatile("cli");
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("gorump: kernel panic: %s\n", buf);
    backtrace_here();
    console_panic();
    arch_poweroff(GORUMP_STATUS_PANIC);
}
