/*
 * tests/unit/kshim/kshim.c — what every kernel file built for the host
 * needs from the rest of the kernel: the list helpers (the kernel's own
 * lib/list.c) and a panic that a test can catch (KSHIM_PANICS) or that
 * aborts, with the message, when nothing expects it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kshim.h"
#include "lib/list.c"

uint8_t *kshim_ram;
struct cpu cpu0;
jmp_buf kshim_on_panic;
bool kshim_catching;
char kshim_panic_msg[256];

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(kshim_panic_msg, sizeof(kshim_panic_msg), fmt, ap);
    va_end(ap);
    if (!kshim_catching) {
        fprintf(stderr, "kernel panic: %s\n", kshim_panic_msg);
        abort();
    }
    kshim_catching = false;
    longjmp(kshim_on_panic, 1);
}

uint64_t kshim_random(uint64_t n)
{
    static uint64_t x = 88172645463325252ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % n;
}
