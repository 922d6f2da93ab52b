/*
 * lib/kmsg.c — kernel messages, panic and the machine's end.  kprintf
 * formats (lib/printf.c) and hands the text to every registered sink: a
 * console device registers one (drv/console.c, the serial port), so lib/
 * and arch/ print without knowing which devices exist.  kernel_stop sends
 * each sink's last record and stops the machine through the halt hook
 * (arch_poweroff unless another is set).  Single CPU, interrupts off in
 * the kernel: the sink list needs no lock (docs/ARCHITECTURE.md, "Locking").
 */
#include "lib/lib.h"
#include "arch/x86_64/arch.h"
#include "gorump/console.h"

static struct {
    struct kmsg_sink *sinks; /* in the order they were added */
    __noreturn void (*halt)(int status);
    bool panicking; /* panic() or panic_halt() has begun */
} kmsg;

void kmsg_sink_add(struct kmsg_sink *s)
{
    struct kmsg_sink **p = &kmsg.sinks;
    while (*p)
        p = &(*p)->next;
    s->next = NULL;
    *p = s;
}

void kmsg_set_halt(__noreturn void (*halt)(int status))
{
    kmsg.halt = halt;
}

static void kmsg_write(const char *buf, size_t n)
{
    for (struct kmsg_sink *s = kmsg.sinks; s; s = s->next)
        s->write(buf, n);
}

void kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kmsg_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

static __noreturn void stop(int status, bool panicked)
{
    for (struct kmsg_sink *s = kmsg.sinks; s; s = s->next)
        if (s->stop)
            s->stop(status, panicked);
    if (kmsg.halt)
        kmsg.halt(status);
    arch_poweroff(status);
}

__noreturn void kernel_stop(int status)
{
    stop(status & 0xff, false);
}

bool kmsg_panicking(void)
{
    return kmsg.panicking;
}

__noreturn void panic_halt(void)
{
    irq_disable();
    kmsg.panicking = true;
    stop(GORUMP_STATUS_PANIC, true);
}

__noreturn void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    irq_disable();
    kmsg.panicking = true;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    /* Before printing: no other CPU's output may run into the panic's. */
    unsigned others, stopped = smp_stop_for_panic(&others);
    kprintf("gorump: kernel panic: %s\n", buf);
    if (others)
        kprintf("gorump: on CPU %u; %u of %u other CPUs stopped\n",
                this_cpu()->id, stopped, others);
    backtrace_here();
    panic_halt();
}
