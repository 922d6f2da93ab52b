/*
 * tests/sysfuzz/signals.c — signal delivery that cannot succeed: a handler
 * or restorer at an address the program cannot run, an alternate stack the
 * kernel cannot write, a signal frame rewritten by the handler before
 * rt_sigreturn.  Each case ends the program, so each runs in its own
 * gorump invocation (tests/guest/run.sh); on Linux as in gorump the
 * program must die of SIGSEGV (status 139), and the kernel must live.
 * A case that prints "survived" returned from the signal.
 */
#define _GNU_SOURCE
#include "sysfuzz.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

/* The kernel's struct sigaction (man 2 rt_sigaction). */
struct ksigaction {
    uint64_t handler, flags, restorer, mask;
};
#define SA_RESTORER 0x04000000UL

extern void sf_restorer(void);
__asm__(".text\nsf_restorer:\n\tmov $15, %eax\n\tsyscall\n\thlt\n");

static int install(int sig, uint64_t handler, uint64_t restorer, uint64_t flags)
{
    struct ksigaction sa = {handler, flags | SA_RESTORER, restorer, 0};
    long r = sf_sys(SYS_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0);
    if (r) {
        printf("rt_sigaction: %s\n", sf_result_name(r));
        return -1;
    }
    return 0;
}

static void quiet(int sig)
{
    (void)sig;
}

/* What the frame case changes in the context it returns to. */
static const char *frame_case;

static void rewrite(int sig, siginfo_t *si, void *ctx)
{
    (void)sig, (void)si;
    ucontext_t *uc = ctx;
    greg_t *g = uc->uc_mcontext.gregs;
    if (!strcmp(frame_case, "frame-rip-noncanon"))
        g[REG_RIP] = (greg_t)SF_NONCANON_LO;
    else if (!strcmp(frame_case, "frame-rip-kernel"))
        g[REG_RIP] = (greg_t)SF_KERNEL_ADDR;
    else if (!strcmp(frame_case, "frame-rsp-noncanon"))
        g[REG_RSP] = (greg_t)SF_NONCANON_HI;
    else if (!strcmp(frame_case, "frame-rsp-kernel"))
        g[REG_RSP] = (greg_t)SF_KERNEL_ADDR;
    else if (!strcmp(frame_case, "frame-cs"))
        g[REG_CSGSFS] = 0x8; /* the kernel's code segment, ring 0 */
    else if (!strcmp(frame_case, "frame-eflags"))
        g[REG_EFL] = -1;
    else if (!strcmp(frame_case, "frame-fpregs"))
        uc->uc_mcontext.fpregs = (void *)SF_NONCANON_LO;
}

static int frame(const char *name)
{
    frame_case = name;
    if (install(SIGUSR1, (uint64_t)rewrite, (uint64_t)sf_restorer, SA_SIGINFO))
        return 2;
    raise(SIGUSR1);
    return 0;
}

static int bad_altstack(uint64_t sp)
{
    stack_t ss = {.ss_sp = (void *)sp, .ss_size = 65536};
    long r = sf_sys(SYS_sigaltstack, (long)&ss, 0, 0, 0, 0, 0);
    if (r) {
        printf("sigaltstack: %s\n", sf_result_name(r));
        return 2;
    }
    if (install(SIGUSR1, (uint64_t)quiet, (uint64_t)sf_restorer, SA_ONSTACK))
        return 2;
    raise(SIGUSR1);
    return 0;
}

static int bad_handler(int sig, uint64_t handler, uint64_t restorer)
{
    if (install(sig, handler, restorer, 0))
        return 2;
    if (sig == SIGSEGV)
        *(volatile int *)8 = 1; /* a real fault, not a sent signal */
    else
        raise(sig);
    return 0;
}

int sf_signal_case(const char *name)
{
    uint64_t ok = (uint64_t)sf_restorer, q = (uint64_t)quiet;
    int r = 2;
    if (!strcmp(name, "handler-noncanon"))
        r = bad_handler(SIGUSR1, SF_NONCANON_LO, ok);
    else if (!strcmp(name, "handler-noncanon-hi"))
        r = bad_handler(SIGUSR1, SF_NONCANON_HI, ok);
    else if (!strcmp(name, "handler-kernel"))
        r = bad_handler(SIGUSR1, SF_KERNEL_ADDR, ok);
    else if (!strcmp(name, "handler-unmapped"))
        r = bad_handler(SIGUSR1, 0x10000, ok);
    else if (!strcmp(name, "segv-handler-noncanon"))
        r = bad_handler(SIGSEGV, SF_NONCANON_LO, ok);
    else if (!strcmp(name, "restorer-noncanon"))
        r = bad_handler(SIGUSR1, q, SF_NONCANON_LO);
    else if (!strcmp(name, "restorer-kernel"))
        r = bad_handler(SIGUSR1, q, SF_KERNEL_ADDR);
    else if (!strcmp(name, "altstack-kernel"))
        r = bad_altstack(SF_KERNEL_ADDR);
    else if (!strcmp(name, "altstack-noncanon"))
        r = bad_altstack(SF_NONCANON_LO - 4096);
    else if (!strncmp(name, "frame-", 6))
        r = frame(name);
    else
        fprintf(stderr, "sysfuzz: no signal case %s\n", name);
    if (r == 0)
        printf("survived\n");
    return r;
}
