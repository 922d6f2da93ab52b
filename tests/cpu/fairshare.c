/*
 * tests/cpu/fairshare.c — three CPU-bound threads on two CPUs share them
 * fairly: each gets about two thirds of a CPU, not one thread a whole CPU
 * and the other two half of the other.
 *
 * With a run queue per CPU, placement alone leaves one CPU running one
 * thread and the other two (proc/sched.c); the slice tick's balance makes
 * them rotate.  The threads make no system call and count their loop's
 * iterations for a while; then the counts are compared: the fewest must
 * be at least MIN_RATIO of the most.  A fair share gives about 1 (and
 * the counts also measure how fast each vCPU ran, which rotation evens
 * out too); without the balance it is about 0.5.  The time is only how
 * long to count, not a bound: the result is a ratio of counts.
 * Run with exactly two CPUs (gorump run --cpus 2; natively on any host,
 * pinned to two of its CPUs).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 3
#define RUN_MS 1500
#define MIN_RATIO 0.7

static volatile int stop;
static volatile uint64_t counts[NTHREADS];

static void *spin(void *arg)
{
    volatile uint64_t *n = &counts[(intptr_t)arg];
    while (!stop)
        (*n)++;
    return NULL;
}

int main(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        perror("fairshare: sched_getaffinity");
        return 1;
    }
    if (CPU_COUNT(&set) < 2) {
        fprintf(stderr, "fairshare: needs two CPUs, has %d\n", CPU_COUNT(&set));
        return 1;
    }
    /* Two CPUs exactly, for the threads and the main thread alike. */
    cpu_set_t two;
    CPU_ZERO(&two);
    for (int cpu = 0, n = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
        if (CPU_ISSET(cpu, &set)) {
            CPU_SET(cpu, &two);
            n++;
        }
    if (sched_setaffinity(0, sizeof(two), &two) != 0) {
        perror("fairshare: sched_setaffinity");
        return 1;
    }
    pthread_t th[NTHREADS];
    for (intptr_t i = 0; i < NTHREADS; i++)
        if (pthread_create(&th[i], NULL, spin, (void *)i) != 0) {
            fprintf(stderr, "fairshare: pthread_create failed\n");
            return 1;
        }
    struct timespec ts = {RUN_MS / 1000, (RUN_MS % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    stop = 1;
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < NTHREADS; i++) {
        printf("thread %d: %llu\n", i, (unsigned long long)counts[i]);
        lo = counts[i] < lo ? counts[i] : lo;
        hi = counts[i] > hi ? counts[i] : hi;
    }
    double ratio = hi ? (double)lo / (double)hi : 0;
    printf("fewest/most: %.2f\n", ratio);
    if (!hi || ratio < MIN_RATIO) {
        fprintf(stderr, "fairshare: unfair: fewest/most %.2f < %.2f\n", ratio,
                MIN_RATIO);
        return 1;
    }
    printf("SUCCESS\n");
    return 0;
}
