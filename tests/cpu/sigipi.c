/*
 * tests/cpu/sigipi.c — a signal sent to a thread that spins in user mode on
 * another CPU interrupts it at once, instead of waiting for that CPU's
 * next timer interrupt (its 10 ms slice tick, proc/sched.c): the sender
 * interrupts it with an IPI (signal_send_thread's sched_poke).
 *
 * The spinner is pinned to one CPU and the sender to another; the spinner
 * makes no system call and counts its loop's iterations.  The sender
 * tgkill(2)s it ROUNDS times and waits, in user mode too, for its handler,
 * which notes the count.  The test judges by that count, not by time: on
 * an emulated CPU of a busy host a vCPU may not run for tens of
 * milliseconds, which makes any time bound either flaky or longer than
 * the tick.  With the IPI the spinner enters the kernel as soon as its
 * CPU runs again, so it makes next to no iterations after tgkill has
 * returned; without it, it spins on until its tick, on average half a
 * slice of iterations.  SLACK allows one millisecond of spinning (as
 * measured first), so a round passes without the IPI only when the tick
 * happens to come within that millisecond: never all ROUNDS of them.
 * Run with two or more CPUs (gorump run --cpus 2; natively on any SMP
 * host).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 100
#define LIMIT_NS 10000000000ULL /* a round that takes longer: a hang */

static volatile sig_atomic_t handled; /* handler runs, in the spinner */
static volatile sig_atomic_t wrong;   /* handler runs in another thread */
static volatile uint64_t spins;       /* the spinner's iterations */
static volatile uint64_t at_handler;  /* spins when the handler last ran */
static volatile pid_t spinner_tid;    /* set once it runs on its CPU */
static pthread_t spinner;
static uint64_t tsc_per_ms;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void on_usr1(int sig)
{
    (void)sig;
    at_handler = spins;
    if (!pthread_equal(pthread_self(), spinner))
        wrong = 1;
    handled = handled + 1;
}

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

/* The two CPUs to use: the first two the process may run on. */
static int two_cpus(int cpu[2])
{
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return -1;
    for (int i = 0; i < CPU_SETSIZE && n < 2; i++)
        if (CPU_ISSET(i, &set))
            cpu[n++] = i;
    return n == 2 ? 0 : -1;
}

static void *spin(void *arg)
{
    if (pin(*(int *)arg) != 0) {
        perror("sched_setaffinity (spinner)");
        exit(1);
    }
    spinner_tid = (pid_t)syscall(SYS_gettid);
    for (;;) /* no system call from here on */
        spins = spins + 1;
    return NULL;
}

/* Waits in user mode for the TSC to advance by ticks: every clock_gettime
 * would enter the kernel (gorump has no vDSO) and take its lock, which
 * the spinner's CPU needs to take the signal. */
static void tsc_wait(uint64_t ticks)
{
    uint64_t t0 = __builtin_ia32_rdtsc();
    while (__builtin_ia32_rdtsc() - t0 < ticks)
        ;
}

/* The TSC's rate, and the spinner's iterations in a millisecond, over
 * 2^25 TSC ticks (about 10 ms at 3 GHz). */
static uint64_t calibrate(void)
{
    uint64_t n0 = now_ns(), s0 = spins, c0 = __builtin_ia32_rdtsc();
    tsc_wait(1 << 25);
    uint64_t c1 = __builtin_ia32_rdtsc(), s1 = spins, n1 = now_ns();
    tsc_per_ms = (c1 - c0) * 1000000 / (n1 - n0);
    return (s1 - s0) * 1000000 / (n1 - n0);
}

/* Waits in user mode until the handler has run `want` times: false after
 * LIMIT_NS. */
static int wait_handled(int want)
{
    uint64_t t0 = __builtin_ia32_rdtsc();
    while (handled < want)
        if ((__builtin_ia32_rdtsc() - t0) / tsc_per_ms > LIMIT_NS / 1000000)
            return 0;
    return 1;
}

static int setup(int cpu[2])
{
    if (two_cpus(cpu) != 0) {
        fprintf(stderr, "FAIL: fewer than two CPUs to run on\n");
        return -1;
    }
    struct sigaction sa = {.sa_handler = on_usr1};
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0 || pin(cpu[0]) != 0) {
        perror("sigaction/sched_setaffinity");
        return -1;
    }
    if (pthread_create(&spinner, NULL, spin, &cpu[1]) != 0) {
        fprintf(stderr, "FAIL: pthread_create\n");
        return -1;
    }
    while (spinner_tid == 0 || spins < 1000)
        ;
    return 0;
}

int main(void)
{
    int cpu[2];
    if (setup(cpu) != 0)
        return 1;
    uint64_t slack = calibrate(), worst = 0;
    slack = slack < 1000 ? 1000 : slack;
    for (int i = 1; i <= ROUNDS; i++) {
        if (syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1) != 0) {
            perror("tgkill");
            return 1;
        }
        uint64_t sent = spins;
        if (!wait_handled(i)) {
            fprintf(stderr, "FAIL: signal %d not handled within %llu s\n", i,
                    LIMIT_NS / 1000000000);
            return 1;
        }
        uint64_t after = at_handler > sent ? at_handler - sent : 0;
        worst = after > worst ? after : worst;
        if (after > slack) {
            fprintf(stderr,
                    "FAIL: signal %d: the thread on CPU %d spun %llu times "
                    "after tgkill returned before its handler ran (%llu "
                    "a millisecond): no IPI?\n",
                    i, cpu[1], (unsigned long long)after,
                    (unsigned long long)slack);
            return 1;
        }
        tsc_wait(tsc_per_ms / 10); /* lets it spin again */
    }
    if (wrong) {
        fprintf(stderr, "FAIL: the handler ran in another thread\n");
        return 1;
    }
    printf("%d signals to CPU %d from CPU %d: at most %llu iterations after "
           "tgkill (%llu a millisecond)\n",
           ROUNDS, cpu[1], cpu[0], (unsigned long long)worst,
           (unsigned long long)slack);
    printf("SUCCESS\n");
    return 0;
}
