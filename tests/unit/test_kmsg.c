/*
 * tests/unit/test_kmsg.c — lib/kmsg.c built for the host: kprintf reaches
 * every sink, in the order they were added, truncated at 511 bytes and
 * nowhere before the first sink; kernel_stop gives each sink that has a
 * stop its exit record (the status masked to 0-255) and then the halt
 * hook, or arch_poweroff without one; panic prints its message and the
 * backtrace, then the panic records and the halt with
 * GORUMP_STATUS_PANIC.  The halts longjmp back here.
 */
#include <setjmp.h>
#include <string.h>

#include "lib/kmsg.c"

#include "check.h"

static jmp_buf halted;
static int halt_status, poweroff_status;

struct record {
    char text[2048];
    size_t len;
    int status, stops, order;
    bool panicked;
};
static struct record rec[3];
static int nstops;

struct cpu cpu0; /* this_cpu() of the shim; a panic here names no CPU */

void backtrace_here(void)
{
    kprintf("backtrace\n");
}

__noreturn void arch_poweroff(int status)
{
    poweroff_status = status;
    longjmp(halted, 2);
}

static __noreturn void halt(int status)
{
    halt_status = status;
    longjmp(halted, 1);
}

static void put(struct record *r, const char *buf, size_t n)
{
    CHECK(r->len + n < sizeof(r->text));
    memcpy(r->text + r->len, buf, n);
    r->len += n;
    r->text[r->len] = '\0';
}

static void record_stop(struct record *r, int status, bool panicked)
{
    r->status = status;
    r->panicked = panicked;
    r->stops++;
    r->order = ++nstops;
}

static void write_a(const char *buf, size_t n)
{
    put(&rec[0], buf, n);
}

static void write_b(const char *buf, size_t n)
{
    put(&rec[1], buf, n);
}

static void write_c(const char *buf, size_t n)
{
    put(&rec[2], buf, n);
}

static void stop_a(int status, bool panicked)
{
    record_stop(&rec[0], status, panicked);
}

static void stop_b(int status, bool panicked)
{
    record_stop(&rec[1], status, panicked);
}

static struct kmsg_sink sink_a = {.write = write_a, .stop = stop_a};
static struct kmsg_sink sink_b = {.write = write_b, .stop = stop_b};
static struct kmsg_sink sink_c = {.write = write_c}; /* no stop */

static void reset(void)
{
    memset(rec, 0, sizeof(rec));
    nstops = 0;
    halt_status = poweroff_status = -1;
}

static void test_printing(void)
{
    kprintf("before any sink\n"); /* goes nowhere, harmlessly */
    kmsg_sink_add(&sink_a);
    kmsg_sink_add(&sink_b);
    kmsg_sink_add(&sink_c);
    reset();
    kprintf("hello %d %s\n", 42, "there");
    for (int i = 0; i < 3; i++)
        CHECK(!strcmp(rec[i].text, "hello 42 there\n"));
    reset();
    char big[700];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    kprintf("%s", big);
    CHECK_EQ(rec[0].len, 511);
    CHECK_EQ(rec[2].len, 511);
}

static void test_stop(void)
{
    reset();
    kmsg_set_halt(halt);
    if (setjmp(halted) == 0)
        kernel_stop(300);
    CHECK_EQ(halt_status, 300 & 0xff);
    CHECK_EQ(poweroff_status, -1);
    CHECK_EQ(rec[0].status, 44);
    CHECK_EQ(rec[1].status, 44);
    CHECK(!rec[0].panicked && !rec[1].panicked);
    CHECK_EQ(rec[0].order, 1); /* in the order they were added */
    CHECK_EQ(rec[1].order, 2);
    CHECK_EQ(rec[0].stops, 1);
    CHECK_EQ(rec[2].stops, 0);

    reset();
    kmsg_set_halt(NULL);
    if (setjmp(halted) == 0)
        kernel_stop(3);
    CHECK_EQ(halt_status, -1);
    CHECK_EQ(poweroff_status, 3);
    CHECK_EQ(rec[1].status, 3);
}

static void test_panic(void)
{
    reset();
    kmsg_set_halt(halt);
    if (setjmp(halted) == 0)
        panic("boom %s", "here");
    CHECK_EQ(halt_status, GORUMP_STATUS_PANIC);
    for (int i = 0; i < 3; i++)
        CHECK(!strcmp(rec[i].text,
                      "gorump: kernel panic: boom here\nbacktrace\n"));
    CHECK(rec[0].panicked && rec[1].panicked);
    CHECK_EQ(rec[0].status, GORUMP_STATUS_PANIC);
    CHECK_EQ(rec[0].stops, 1);

    /* trap.c's way: its own report first, then panic_halt. */
    reset();
    kmsg_set_halt(NULL);
    if (setjmp(halted) == 0)
        panic_halt();
    CHECK_EQ(poweroff_status, GORUMP_STATUS_PANIC);
    CHECK(rec[1].panicked);
    CHECK_EQ(rec[0].len, 0);
}

int main(void)
{
    test_printing();
    test_stop();
    test_panic();
    return check_done();
}
