/*
 * tests/cpu/sigframe.c — a program whose signal handler address, or the
 * context it returns to through rt_sigreturn, is not a user address.
 * Linux accepts both and the program gets SIGSEGV where the return to
 * user mode fails: a non-canonical RIP makes iretq itself fault
 * (si_code SI_KERNEL), a kernel-half one faults on the first fetch
 * (SEGV_MAPERR at that address).  The kernel must never fault itself.
 *
 *   sigframe MODE   MODE: handler-noncanonical, handler-kernel,
 *                   return-noncanonical, return-kernel, return-rsp,
 *                   return-altstack
 * Prints SUCCESS when the SIGSEGV handler saw what Linux reports; in
 * return-rsp mode no frame can be written and SIGSEGV kills it (139).
 * return-altstack: the handler puts an alternate stack that sigaltstack
 * would refuse (bad flags, then too small) in the frame's uc_stack; as on
 * Linux, rt_sigreturn leaves the thread's alternate stack as it was.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#define NONCANONICAL 0x8000000000001000ULL
#define KERNEL_HALF 0xffffffff80100000ULL
#define SI_KERNEL_CODE 0x80

static uint64_t bad;
static int want_code;

static void on_segv(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint64_t rip = uc->uc_mcontext.gregs[REG_RIP];
    (void)s;
    if (si->si_code != want_code || rip != bad) {
        printf("FAIL: SIGSEGV code %d (want %d) at rip %llx (want %llx)\n",
               si->si_code, want_code, (unsigned long long)rip,
               (unsigned long long)bad);
        _exit(1);
    }
    if (want_code != SI_KERNEL_CODE && (uint64_t)si->si_addr != bad) {
        printf("FAIL: si_addr %p\n", si->si_addr);
        _exit(1);
    }
    printf("SIGSEGV code %d at rip %llx\nSUCCESS\n", si->si_code,
           (unsigned long long)rip);
    _exit(0);
}

static void edit_return(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)s, (void)si;
    if (bad)
        uc->uc_mcontext.gregs[REG_RIP] = bad;
    else
        uc->uc_mcontext.gregs[REG_RSP] = NONCANONICAL;
}

static void install(int s, void *handler)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    if (sigaction(s, &sa, NULL)) {
        perror("sigaction");
        exit(1);
    }
}

static int altstack_round;

static void edit_altstack(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)s, (void)si;
    if (altstack_round == 0) {
        uc->uc_stack.ss_flags = 0x1234; /* EINVAL for sigaltstack */
    } else {
        uc->uc_stack.ss_flags = 0;
        uc->uc_stack.ss_size = 16; /* ENOMEM for sigaltstack */
    }
}

/* An alternate stack set, then two returns through frames naming ones
 * sigaltstack refuses: the stack stays the one set. */
static int check_altstack(void)
{
    static char mem[65536];
    stack_t ss = {.ss_sp = mem, .ss_size = sizeof(mem)}, got;
    if (sigaltstack(&ss, NULL)) {
        perror("sigaltstack");
        return 1;
    }
    install(SIGUSR1, edit_altstack);
    for (altstack_round = 0; altstack_round < 2; altstack_round++) {
        raise(SIGUSR1);
        if (sigaltstack(NULL, &got)) {
            perror("sigaltstack");
            return 1;
        }
        if (got.ss_sp != mem || got.ss_size != sizeof(mem) ||
            got.ss_flags != 0) {
            printf("FAIL: round %d: the alternate stack is now %p, %zu "
                   "bytes, flags %#x\n",
                   altstack_round, got.ss_sp, got.ss_size, got.ss_flags);
            return 1;
        }
    }
    printf("SUCCESS\n");
    return 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(mode, "return-altstack"))
        return check_altstack();
    install(SIGSEGV, on_segv);
    if (!strcmp(mode, "handler-noncanonical") ||
        !strcmp(mode, "handler-kernel")) {
        /* The libc wrapper adds its own restorer; the address is taken
         * as it is, as Linux does. */
        bad = strstr(mode, "kernel") ? KERNEL_HALF : NONCANONICAL;
        install(SIGUSR1, (void *)bad);
    } else if (!strcmp(mode, "return-noncanonical") ||
               !strcmp(mode, "return-kernel")) {
        bad = strstr(mode, "kernel") ? KERNEL_HALF : NONCANONICAL;
        install(SIGUSR1, edit_return);
    } else if (!strcmp(mode, "return-rsp")) {
        install(SIGUSR1, edit_return);
    } else {
        fprintf(stderr, "usage: sigframe MODE\n");
        return 2;
    }
    want_code = bad == KERNEL_HALF ? SEGV_MAPERR : SI_KERNEL_CODE;
    raise(SIGUSR1);
    printf("FAIL: returned from the signal\n");
    return 1;
}
