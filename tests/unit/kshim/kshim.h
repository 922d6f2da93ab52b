/*
 * tests/unit/kshim/kshim.h — the host side of kernel code built for the
 * host (tests/unit/test_k*.c include the kernel's .c files, then
 * kshim.c): the kernel's panic and assert made catchable, and the kernel
 * heap as malloc, so that ASan sees every kernel object on its own.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

/* Whether stmt panicked (assert or panic) instead of returning. */
#define KSHIM_PANICS(stmt)                                                     \
    (kshim_catching = true, setjmp(kshim_on_panic)                             \
                                ? (kshim_catching = false, true)               \
                                : ((stmt), kshim_catching = false, false))

extern jmp_buf kshim_on_panic;
extern bool kshim_catching;
/* The last panic's message. */
extern char kshim_panic_msg[256];

/* A number in [0, n) from a fixed sequence (xorshift64), the same on
 * every run, so a failure can be replayed. */
uint64_t kshim_random(uint64_t n);

/* Objects kmalloc handed out and kfree has not taken back (heap.c). */
extern long kshim_live;
/* kmalloc fails while kshim_kmalloc_fail is non-zero, counting it down,
 * once kshim_kmalloc_skip more calls have succeeded. */
extern int kshim_kmalloc_fail, kshim_kmalloc_skip;

#endif
