/*
 * proc/crashtest.c — deliberate kernel faults for the tests that check how
 * the kernel contains or reports them, which no program can cause:
 * gorump.test-fault=WHAT on the kernel command line, acted on as the main
 * thread first leaves for user mode (on its own kernel stack).
 *   stack    recurse until the kernel stack's guard page: a double fault
 *            reported as "kernel stack overflow"
 *   uaccess  read the program's first instruction directly, outside the
 *            uaccess routines: reported as a kernel bug, never serviced
 *   iret     return to user mode with a null CS in the frame: iretq faults
 *            and the program gets SIGSEGV (trap.c, bad_iret)
 *   panic-cpu1  move to CPU 1 (--cpus 2 or more) and panic there: the
 *            panic stops the other CPUs before it prints (lib/kmsg.c)
 */
#include "proc/proc.h"

/* Stops only at a depth no 16 KiB stack reaches; not a tail call, as the
 * sum needs the callee's result. */
static uint64_t recurse(volatile uint8_t *prev, uint64_t depth)
{
    volatile uint8_t frame[512];
    frame[0] = (uint8_t)depth;
    frame[511] = prev ? prev[0] : 0;
    if (depth > (1UL << 20))
        return 0;
    return recurse(frame, depth + 1) + frame[511];
}

static bool is(const char *value, const char *what)
{
    size_t n = strlen(what);
    return !strncmp(value, what, n) && (value[n] == ' ' || value[n] == '\0');
}

void crashtest_run(struct thread *t)
{
    const char *what = cmdline_value("gorump.test-fault=");
    if (!what || t->tid != 1)
        return;
    int n = 0;
    while (what[n] && what[n] != ' ')
        n++;
    kprintf("gorump: test-fault=%.*s\n", n, what);
    if (is(what, "stack")) {
        recurse(NULL, 0);
    } else if (is(what, "uaccess")) {
        volatile uint8_t *p = (volatile uint8_t *)t->tf->rip;
        kprintf("gorump: read %x\n", *p);
    } else if (is(what, "panic-cpu1")) {
        if (sched_set_affinity(t, 2) == 0)
            schedule();
        panic("test-fault on CPU %u", this_cpu()->id);
    } else if (is(what, "iret")) {
        t->tf->cs = 3; /* the null selector, RPL 3 */
    }
}
