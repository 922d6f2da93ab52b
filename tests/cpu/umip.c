/*
 * tests/cpu/umip.c — with UMIP on (CR4.UMIP, where the CPU has it) the
 * instructions that reveal kernel descriptor-table state fault in user
 * mode: SLDT and STR give SIGSEGV (si_code SI_KERNEL) on Linux, which
 * emulates only SGDT, SIDT and SMSW for old programs.  The guest case runs
 * this only where the kernel reports umip=1.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;
static int code;

static void on_segv(int s, siginfo_t *si, void *ctx)
{
    (void)s, (void)ctx;
    code = si->si_code;
    siglongjmp(back, 1);
}

int main(void)
{
    struct sigaction sa;
    unsigned short sel = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    if (!sigsetjmp(back, 1)) {
        __asm__ volatile("sldt %0" : "=r"(sel));
        printf("FAIL: sldt ran in user mode (selector %#x)\n", sel);
        return 1;
    }
    printf("sldt: SIGSEGV code %d\n", code);
    if (!sigsetjmp(back, 1)) {
        __asm__ volatile("str %0" : "=r"(sel));
        printf("FAIL: str ran in user mode (selector %#x)\n", sel);
        return 1;
    }
    printf("str: SIGSEGV code %d\n", code);
    printf("SUCCESS\n");
    return 0;
}
