/*
 * tests/unit/kshim/heap.c — kmalloc as malloc, for kernel code built for
 * the host other than the heap itself: ASan then sees each kernel object
 * on its own (overflows, use after free, leaks), kshim_live counts the
 * objects alive, and kshim_kmalloc_fail makes the next calls fail (after
 * kshim_kmalloc_skip more that succeed).  The
 * kernel's heap is 16-byte aligned; so is glibc's malloc on x86-64.
 */
#include <stdlib.h>

#include "kshim.h"
#include "mm/mm.h"

long kshim_live;
int kshim_kmalloc_fail, kshim_kmalloc_skip;

void *kmalloc(size_t n)
{
    if (kshim_kmalloc_fail > 0 && kshim_kmalloc_skip > 0) {
        kshim_kmalloc_skip--;
    } else if (kshim_kmalloc_fail > 0) {
        kshim_kmalloc_fail--;
        return NULL;
    }
    void *p = malloc(n ? n : 1);
    if (p)
        kshim_live++;
    return p;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void kfree(void *p)
{
    if (p)
        kshim_live--;
    free(p);
}
