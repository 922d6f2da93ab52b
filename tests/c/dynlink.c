/*
 * tests/c/dynlink.c — a dynamically linked C program (glibc or musl) that
 * exercises what a loader and a C library need from the kernel: threads
 * (pthread_create, join, mutex, condition variable with an absolute
 * timeout, barrier, a signal to one thread), thread-local storage, name
 * lookups through NSS (getpwnam, getgrgid, getaddrinfo from /etc/hosts),
 * and dlopen of a library found through the program's DT_RUNPATH
 * ($ORIGIN).  Its output does not depend on the machine, so the guest's
 * must equal the native run's byte for byte; SUCCESS ends it.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NTHREADS 4

static __thread int tls_value = 42;
static __thread char tls_buf[64];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long shared_sum;
static int failures;
static volatile sig_atomic_t got_signal;

static void check(int ok, const char *what)
{
    if (!ok) {
        printf("FAIL %s\n", what);
        failures++;
    }
}

static void *worker(void *arg)
{
    long id = (long)arg;

    check(tls_value == 42, "tls initial value in a thread");
    tls_value = (int)id * 100;
    snprintf(tls_buf, sizeof(tls_buf), "thread %ld", id);
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&lock);
        shared_sum += id;
        pthread_mutex_unlock(&lock);
    }
    check(tls_value == (int)id * 100, "tls value kept");
    return strdup(tls_buf);
}

static void threads(void)
{
    pthread_t t[NTHREADS];

    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (long i = 0; i < NTHREADS; i++)
        check(pthread_create(&t[i], NULL, worker, (void *)(i + 1)) == 0,
              "pthread_create");
    for (int i = 0; i < NTHREADS; i++) {
        void *ret;
        check(pthread_join(t[i], &ret) == 0, "pthread_join");
        printf("joined: %s\n", (char *)ret);
        free(ret);
    }
    printf("sum: %ld\n", shared_sum);
    check(tls_value == 42, "main thread tls untouched");
}

/* pthread_cond_timedwait: an absolute deadline on CLOCK (futex
 * FUTEX_WAIT_BITSET, with FUTEX_CLOCK_REALTIME for CLOCK_REALTIME). */
static void timed_wait(clockid_t clock, const char *name)
{
    pthread_condattr_t ca;
    pthread_cond_t c;
    struct timespec t0, t1, deadline;
    int r;

    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, clock);
    pthread_cond_init(&c, &ca);
    clock_gettime(clock, &t0);
    deadline = t0;
    deadline.tv_nsec += 50 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&lock);
    r = pthread_cond_timedwait(&c, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    clock_gettime(clock, &t1);
    check(r == ETIMEDOUT, "timedwait times out");
    check((t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >=
              50 * 1000 * 1000,
          "timedwait waited 50 ms");
    printf("timedwait on %s: %s\n", name,
           r == ETIMEDOUT ? "ETIMEDOUT" : strerror(r));
}

static void on_usr1(int sig)
{
    (void)sig;
    got_signal = 1;
}

static void *signal_target(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!got_signal)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* A signal sent to one thread (tgkill) runs the handler there. */
static void thread_signal(void)
{
    struct sigaction sa = {.sa_handler = on_usr1};
    pthread_t t;

    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&t, NULL, signal_target, NULL);
    usleep(10000);
    check(pthread_kill(t, SIGUSR1) == 0, "pthread_kill");
    for (int i = 0; i < 500 && !got_signal; i++)
        usleep(1000);
    pthread_mutex_lock(&lock);
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    printf("signal to a thread: %s\n", got_signal ? "handled" : "lost");
    check(got_signal, "signal handled");
}

static void names(void)
{
    struct passwd *pw = getpwnam("root");
    struct group *gr = getgrgid(0);
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char addr[INET_ADDRSTRLEN] = "?";
    int r;

    check(pw != NULL, "getpwnam root");
    if (pw != NULL)
        printf("passwd: %s uid %d gid %d home %s\n", pw->pw_name,
               (int)pw->pw_uid, (int)pw->pw_gid, pw->pw_dir);
    check(gr != NULL, "getgrgid 0");
    if (gr != NULL)
        printf("group 0: %s\n", gr->gr_name);
    check(getpwnam("no-such-user-here") == NULL, "unknown user");
    r = getaddrinfo("localhost", "80", &hints, &ai);
    check(r == 0, "getaddrinfo localhost");
    if (r == 0) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
        inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
        printf("localhost: %s port %d\n", addr, ntohs(sin->sin_port));
        freeaddrinfo(ai);
    }
}

/* libgreet.so sits beside the program; DT_RUNPATH $ORIGIN finds it. */
static void dynamic_load(void)
{
    void *h = dlopen("libgreet.so", RTLD_NOW);
    const char *(*greet)(int);

    check(h != NULL, "dlopen libgreet.so");
    if (h == NULL) {
        printf("dlopen: %s\n", dlerror());
        return;
    }
    greet = (const char *(*)(int))dlsym(h, "greet");
    check(greet != NULL, "dlsym greet");
    if (greet != NULL)
        printf("dlopen: %s\n", greet(7));
    dlclose(h);
}

int main(int argc, char **argv)
{
    (void)argc;
    printf("start: %s\n", strrchr(argv[0], '/') ? "path" : argv[0]);
    threads();
    timed_wait(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    timed_wait(CLOCK_REALTIME, "CLOCK_REALTIME");
    thread_signal();
    names();
    dynamic_load();
    if (failures == 0)
        printf("SUCCESS\n");
    return failures != 0;
}
