/*
 * tests/cpu/flags.c — user-mode RFLAGS bits that must not reach the
 * kernel: AC (under SMAP it would let the kernel touch user memory
 * anywhere) and DF (string copies would run backwards).  Two threads set
 * both and spin, so slice-timer interrupts come while they are set, and
 * make system calls that copy through a pipe.  The kernel asserts AC is
 * clear on every return to user mode; the copies must come out right and
 * each thread must find its own flags as it left them.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define AC 0x40000UL
#define DF 0x400UL

static uint64_t get_flags(void)
{
    uint64_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static void set_flags(uint64_t f)
{
    __asm__ volatile("pushq %0; popfq" ::"r"(f) : "memory", "cc");
}

static long raw3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Runs with AC and DF set for about 200 ms: only raw system calls and
 * register arithmetic (Linux checks alignment in user mode under AC). */
static void *spin(void *arg)
{
    int *fds = arg;
    static __thread char in[64] __attribute__((aligned(16)));
    static __thread char out[64] __attribute__((aligned(16)));
    long bad = 0;
    uint64_t end = now_ns() + 200000000ULL;
    for (int i = 0; i < 64; i++)
        out[i] = (char)(i * 7 + 1);
    while (now_ns() < end) {
        uint64_t saved = get_flags();
        set_flags(saved | AC | DF);
        for (volatile int k = 0; k < 200000; k++)
            ;
        /* One call that copies nothing: no clac on its way. */
        if (raw3(SYS_getppid, 0, 0, 0) < 0)
            bad |= 1;
        long w = raw3(SYS_write, fds[1], (long)out, sizeof(out));
        long r = raw3(SYS_read, fds[0], (long)in, sizeof(in));
        uint64_t after = get_flags();
        set_flags(saved);
        if (w != 64 || r != 64 || memcmp(in, out, 64))
            bad |= 1;
        if ((after & (AC | DF)) != (AC | DF))
            bad |= 2;
    }
    return (void *)bad;
}

int main(void)
{
    int a[2], b[2];
    pthread_t t;
    void *ra, *rb;
    if (pipe(a) || pipe(b)) {
        perror("pipe");
        return 1;
    }
    if (pthread_create(&t, NULL, spin, a)) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    rb = spin(b);
    pthread_join(t, &ra);
    if (ra || rb) {
        printf("FAIL: %s\n", ((long)ra | (long)rb) & 1
                                 ? "a copy came out wrong"
                                 : "AC or DF did not survive");
        return 1;
    }
    printf("SUCCESS\n");
    return 0;
}
