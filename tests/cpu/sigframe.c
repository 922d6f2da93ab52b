/*
 * tests/cpu/sigframe.c — a program whose signal handler address, or the
 * context it returns to through rt_sigreturn, is not a user address.
 * Linux accepts both and the program gets SIGSEGV where the return to
 * user mode fails: a non-canonical RIP makes iretq itself fault
 * (si_code SI_KERNEL), a kernel-half one faults on the first fetch
 * (SEGV_MAPERR at that address).  The kernel must never fault itself.
 *
 *   sigframe MODE   MODE: handler-noncanonical, handler-kernel,
 *                   return-noncanonical, return-kernel, return-rsp
 * Prints SUCCESS when the SIGSEGV handler saw what Linux reports; in
 * return-rsp mode no frame can be written and SIGSEGV kills it (139).
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

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IONBF, 0);
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
