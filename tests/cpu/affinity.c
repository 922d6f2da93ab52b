/*
 * tests/cpu/affinity.c — sched_setaffinity on another thread moves it:
 * one running on a CPU its new mask leaves out (spinning in user mode,
 * so only an interrupt from the caller's CPU makes it reschedule), and
 * one waiting to run.  getcpu(2) tells where each thread runs.
 *
 * A spinner makes no system call in its loop but getcpu, and publishes
 * the CPU it saw.  The main thread pins it to each CPU of the two in turn
 * and waits, bounded, for it to report that CPU; then two spinners share
 * one CPU (one of them always queued there) and are moved to the other
 * together.  Run with two or more CPUs (gorump run --cpus 2; natively on
 * any SMP host).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_NS 10000000000ULL /* longer than this: the move never came */
#define NSPIN 2

static volatile int stop;
static volatile int where[NSPIN] = {-1, -1}; /* getcpu's answer, each */
static volatile pid_t tids[NSPIN];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void *spin(void *arg)
{
    int i = (int)(long)arg;
    tids[i] = (pid_t)syscall(SYS_gettid);
    while (!stop) {
        unsigned cpu;
        if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0) {
            perror("affinity: getcpu");
            exit(1);
        }
        where[i] = (int)cpu;
    }
    return NULL;
}

static void pin(pid_t tid, int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(tid, sizeof(set), &set) != 0) {
        perror("affinity: sched_setaffinity");
        exit(1);
    }
}

/* Waits until spinner i reports cpu; fails after LIMIT_NS. */
static void await(int i, int cpu, const char *what)
{
    uint64_t t0 = now_ns();
    where[i] = -1;
    while (where[i] != cpu) {
        if (now_ns() - t0 > LIMIT_NS) {
            printf("FAIL: %s: spinner %d still on CPU %d, not %d\n", what, i,
                   where[i], cpu);
            exit(1);
        }
        usleep(1000);
    }
}

int main(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) {
        perror("affinity: sched_getaffinity");
        return 1;
    }
    int cpus[2], n = 0;
    for (int c = 0; c < (int)CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &set))
            cpus[n++] = c;
    if (n < 2) {
        printf("FAIL: needs two CPUs\n");
        return 1;
    }
    unsigned me;
    if (syscall(SYS_getcpu, &me, NULL, NULL) != 0 || !CPU_ISSET(me, &set)) {
        printf("FAIL: getcpu: %u, not one of ours\n", me);
        return 1;
    }
    if (syscall(SYS_getcpu, (void *)8, NULL, NULL) != -1) {
        printf("FAIL: getcpu with a bad pointer did not fail\n");
        return 1;
    }
    pthread_t th[NSPIN];
    for (long i = 0; i < NSPIN; i++)
        if (pthread_create(&th[i], NULL, spin, (void *)i) != 0) {
            printf("FAIL: pthread_create\n");
            return 1;
        }
    while (!tids[0] || !tids[1])
        usleep(1000);
    /* One running thread, moved from CPU to CPU while it spins. */
    for (int round = 0; round < 6; round++) {
        int cpu = cpus[round % 2];
        pin(tids[0], cpu);
        await(0, cpu, "running thread");
    }
    /* Both on one CPU (one of them queued), then both moved away. */
    pin(tids[0], cpus[0]);
    pin(tids[1], cpus[0]);
    await(0, cpus[0], "both on the first CPU");
    await(1, cpus[0], "both on the first CPU");
    pin(tids[0], cpus[1]);
    pin(tids[1], cpus[1]);
    await(0, cpus[1], "both moved");
    await(1, cpus[1], "both moved");
    stop = 1;
    for (int i = 0; i < NSPIN; i++)
        pthread_join(th[i], NULL);
    printf("threads moved between CPUs %d and %d\nSUCCESS\n", cpus[0], cpus[1]);
    return 0;
}
