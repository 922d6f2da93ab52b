/*
 * tests/cpu/xstate.c — the AVX state a program owns: the kernel must turn
 * on XSAVE (CPUID's OSXSAVE, XCR0 with x87, SSE and AVX) and keep all 16
 * YMM registers and MXCSR, whole, across signals and thread switches.
 *
 *  - A signal's frame holds an XSAVE image with Linux's software bytes
 *    (asm/sigcontext.h, struct _fpx_sw_bytes) and the YMM upper halves;
 *    the handler starts from the initial state, clobbers every YMM, edits
 *    the frame, and what rt_sigreturn restores is the edited frame.
 *  - A frame whose software bytes are wrong restores the legacy region
 *    only (the upper halves come back zero); no fpstate at all gives the
 *    initial state; a bad XSAVE header or MXCSR gives SIGSEGV (SI_KERNEL).
 *  - Threads with their own YMM values and MXCSR yield to each other in a
 *    loop and find them intact (the case runs on 1 and on 2 CPUs).
 *  - `xstate altstack-overflow`: a frame the alternate stack cannot hold
 *    is not written below it; the program dies by SIGSEGV (139).
 * /proc/cpuinfo's flags must name xsave, avx and avx2 (when CPUID has it).
 * Every YMM use is inside one asm statement: the C library's own string
 * functions use AVX. Prints SUCCESS.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define NREG 16
#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define MXCSR_INIT 0x1f80
#define SI_KERNEL_CODE 0x80

struct regs {
    uint8_t ymm[NREG][32];
    uint32_t mxcsr;
};

static int failed;
static uint32_t ymm_hi_off; /* the YMM upper halves in an XSAVE image */

#define FAIL(...) (printf("FAIL: " __VA_ARGS__), printf("\n"), failed = 1)

/* Loads in, makes system call nr(a, b) `times` times (spinning `spin`
 * iterations after each), stores the registers to out. */
static void ymm_around(const struct regs *in, struct regs *out, long nr, long a,
                       long b, long times, long spin)
{
    uint32_t init = MXCSR_INIT;
    __asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
                     "vmovdqu \\i*32(%[in]), %%ymm\\i\n\t"
                     ".endr\n\t"
                     "ldmxcsr %c[m](%[in])\n"
                     "1:\n\t"
                     "mov %[nr], %%rax\n\t"
                     "syscall\n\t"
                     "mov %[spin], %%rcx\n"
                     "2:\n\t"
                     "dec %%rcx\n\t"
                     "jg 2b\n\t"
                     "dec %[times]\n\t"
                     "jg 1b\n\t"
                     ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
                     "vmovdqu %%ymm\\i, \\i*32(%[out])\n\t"
                     ".endr\n\t"
                     "stmxcsr %c[m](%[out])\n\t"
                     "ldmxcsr %[init]\n\t"
                     "vzeroupper"
                     : [times] "+r"(times)
                     : [in] "r"(in), [out] "r"(out), [nr] "r"(nr), "D"(a),
                       "S"(b), [spin] "r"(spin), [init] "m"(init),
                       [m] "i"(offsetof(struct regs, mxcsr))
                     : "rax", "rcx", "rdx", "r11", "memory", "xmm0", "xmm1",
                       "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                       "xmm15");
}

static void pattern(struct regs *r, unsigned seed, uint32_t mxcsr)
{
    for (int i = 0; i < NREG; i++)
        for (int j = 0; j < 32; j++)
            r->ymm[i][j] = (uint8_t)(seed * 37 + i * 32 + j + 1);
    r->mxcsr = mxcsr;
}

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo | (uint64_t)hi << 32;
}

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

/* /proc/cpuinfo's first flags line names what the kernel enabled. */
static void check_cpuinfo(int avx2)
{
    static char line[8192];
    const char *want[] = {" xsave ", " avx ", avx2 ? " avx2 " : NULL};
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) {
        FAIL("/proc/cpuinfo: cannot open");
        return;
    }
    while (fgets(line, sizeof(line) - 1, f) && strncmp(line, "flags", 5))
        ;
    fclose(f);
    line[strcspn(line, "\n")] = ' '; /* every flag ends with a space */
    for (int i = 0; i < 3; i++)
        if (want[i] && !strstr(line, want[i]))
            FAIL("/proc/cpuinfo's flags lack%s", want[i]);
}

static void check_enabled(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & (1u << 26)) || !(r[2] & (1u << 28))) {
        FAIL("the CPU has no XSAVE or no AVX (ecx %#x)", r[2]);
        exit(1);
    }
    if (!(r[2] & (1u << 27))) {
        FAIL("CPUID shows no OSXSAVE: the kernel did not enable XSAVE");
        exit(1);
    }
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 7) != 7) {
        FAIL("XCR0 %#llx lacks x87|SSE|AVX", (unsigned long long)xcr0);
        exit(1);
    }
    cpuid(0xd, 2, r);
    ymm_hi_off = r[1];
    cpuid(7, 0, r);
    check_cpuinfo(r[1] & (1u << 5));
    printf("XCR0 %#llx, YMM upper halves at %u\n", (unsigned long long)xcr0,
           ymm_hi_off);
}

/* --- a handler that checks its frame, clobbers and edits --------------- */

static struct regs sent;
static volatile int handled;

static void check_frame(const uint8_t *f, const ucontext_t *uc)
{
    uint32_t magic1, ext, xsize, magic2, mxcsr;
    uint64_t xfeatures, bv;
    memcpy(&magic1, f + 464, 4);
    memcpy(&ext, f + 468, 4);
    memcpy(&xfeatures, f + 472, 8);
    memcpy(&xsize, f + 480, 4);
    memcpy(&bv, f + 512, 8);
    memcpy(&mxcsr, f + 24, 4);
    if ((uintptr_t)f % 64)
        FAIL("fpstate %p is not 64-byte aligned", (void *)f);
    if (!(uc->uc_flags & 1))
        FAIL("uc_flags %#lx lacks UC_FP_XSTATE", uc->uc_flags);
    if (magic1 != MAGIC1 || ext != xsize + 4 || (xfeatures & 7) != 7 ||
        xsize < ymm_hi_off + 256) {
        FAIL("software bytes: magic1 %#x ext %u xsize %u xfeatures %#llx",
             magic1, ext, xsize, (unsigned long long)xfeatures);
        return;
    }
    memcpy(&magic2, f + xsize, 4);
    if (magic2 != MAGIC2)
        FAIL("magic2 %#x", magic2);
    if ((bv & 7) != 7)
        FAIL("XSTATE_BV %#llx", (unsigned long long)bv);
    if (mxcsr != sent.mxcsr)
        FAIL("frame MXCSR %#x, want %#x", mxcsr, sent.mxcsr);
    for (int i = 0; i < NREG; i++)
        if (memcmp(f + 160 + 16 * i, sent.ymm[i], 16) ||
            memcmp(f + ymm_hi_off + 16 * i, sent.ymm[i] + 16, 16))
            FAIL("the frame's YMM%d is not the interrupted one", i);
}

/* The handler starts from the initial state (Linux clears it once the
 * frame is written): MXCSR 0x1f80 and the upper halves zero. */
static void check_initial(void)
{
    static struct regs entry;
    __asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
                     "vmovdqu %%ymm\\i, \\i*32(%[out])\n\t"
                     ".endr\n\t"
                     "stmxcsr %c[m](%[out])"
                     :
                     : [out] "r"(&entry), [m] "i"(offsetof(struct regs, mxcsr))
                     : "memory");
    if (entry.mxcsr != MXCSR_INIT)
        FAIL("the handler started with MXCSR %#x", entry.mxcsr);
    static const uint8_t zero[16];
    for (int i = 0; i < NREG; i++)
        if (memcmp(entry.ymm[i] + 16, zero, 16))
            FAIL("the handler started with YMM%d's upper half set", i);
}

static void clobber(void)
{
    static struct regs junk;
    memset(&junk, 0xa5, sizeof(junk));
    junk.mxcsr = 0x7f80;
    __asm__ volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
                     "vmovdqu \\i*32(%[in]), %%ymm\\i\n\t"
                     ".endr\n\t"
                     "ldmxcsr %c[m](%[in])"
                     :
                     : [in] "r"(&junk), [m] "i"(offsetof(struct regs, mxcsr))
                     : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
                       "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
                       "xmm12", "xmm13", "xmm14", "xmm15");
}

static void on_usr1(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint8_t *f = (uint8_t *)uc->uc_mcontext.fpregs;
    (void)s, (void)si;
    check_initial();
    clobber();
    check_frame(f, uc);
    /* Edits rt_sigreturn must honour: YMM3's upper half, XMM4, MXCSR. */
    memset(f + ymm_hi_off + 16 * 3, 0xee, 16);
    memset(f + 160 + 16 * 4, 0xdd, 16);
    uint32_t mxcsr = 0x5f80;
    memcpy(f + 24, &mxcsr, 4);
    handled = 1;
}

static void signal_roundtrip(void)
{
    struct regs want, got;
    pattern(&sent, 1, 0x3f80);
    ymm_around(&sent, &got, SYS_kill, getpid(), SIGUSR1, 1, 0);
    want = sent;
    memset(want.ymm[3] + 16, 0xee, 16);
    memset(want.ymm[4], 0xdd, 16);
    want.mxcsr = 0x5f80;
    if (!handled)
        FAIL("SIGUSR1 was not handled");
    for (int i = 0; i < NREG; i++)
        if (memcmp(got.ymm[i], want.ymm[i], 32))
            FAIL("YMM%d after the handler is not the frame's", i);
    if (got.mxcsr != want.mxcsr)
        FAIL("MXCSR after the handler %#x, want %#x", got.mxcsr, want.mxcsr);
}

/* --- frames the handler spoils ----------------------------------------- */

static const char *spoil;
static sigjmp_buf segv_jump;
static volatile int segv_code;

static void on_segv(int s, siginfo_t *si, void *ctx)
{
    (void)s, (void)ctx;
    segv_code = si->si_code;
    siglongjmp(segv_jump, 1);
}

static void on_usr2(int s, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    uint8_t *f = (uint8_t *)uc->uc_mcontext.fpregs;
    uint64_t v;
    (void)s, (void)si;
    if (!strcmp(spoil, "header")) { /* bytes 8..23 must be zero */
        v = 1;
        memcpy(f + 512 + 16, &v, 8);
    } else if (!strcmp(spoil, "xstate_bv")) { /* a component not in XCR0 */
        uint64_t xcr0 = xgetbv0(), bit = 1ULL << 62;
        for (int i = 3; i < 62; i++)
            if (!(xcr0 & (1ULL << i))) {
                bit = 1ULL << i;
                break;
            }
        memcpy(&v, f + 512, 8);
        v |= bit;
        memcpy(f + 512, &v, 8);
    } else if (!strcmp(spoil, "mxcsr")) {
        f[27] = 0x80; /* bit 31: reserved on every CPU */
    } else if (!strcmp(spoil, "magic1")) {
        f[464] ^= 1;
    } else if (!strcmp(spoil, "null")) {
        uc->uc_mcontext.fpregs = NULL;
    }
}

/* want_segv: rt_sigreturn must fail; else the registers come back as
 * the legacy region (magic1: upper halves zero) or initial (null). */
static void spoilt(const char *what, int want_segv)
{
    struct regs in, got;
    spoil = what;
    segv_code = 0;
    pattern(&in, 2, 0x3f80);
    memset(&got, 0x11, sizeof(got));
    if (sigsetjmp(segv_jump, 1) == 0)
        ymm_around(&in, &got, SYS_kill, getpid(), SIGUSR2, 1, 0);
    if (want_segv) {
        if (segv_code != SI_KERNEL_CODE)
            FAIL("%s: SIGSEGV code %d, want SI_KERNEL", what, segv_code);
        return;
    }
    if (segv_code)
        FAIL("%s: SIGSEGV code %d", what, segv_code);
    int null = !strcmp(what, "null");
    static const uint8_t zero[32];
    for (int i = 0; i < NREG; i++)
        if (memcmp(got.ymm[i], null ? zero : in.ymm[i], null ? 32 : 16) ||
            memcmp(got.ymm[i] + 16, zero, 16))
            FAIL("%s: YMM%d is not the legacy region's", what, i);
    if (got.mxcsr != (null ? MXCSR_INIT : in.mxcsr))
        FAIL("%s: MXCSR %#x", what, got.mxcsr);
}

/* --- threads ------------------------------------------------------------ */

static void *yielder(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    struct regs in, out;
    /* Rounding control differs per thread (MXCSR bits 13-14). */
    pattern(&in, seed, MXCSR_INIT | (seed % 4) << 13);
    for (int round = 0; round < 20; round++) {
        memset(&out, 0, sizeof(out));
        ymm_around(&in, &out, SYS_sched_yield, 0, 0, 50, 20000);
        if (memcmp(&in, &out, sizeof(in)))
            return (void *)1;
    }
    return NULL;
}

static void threads(void)
{
    enum { N = 3 };
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        if (pthread_create(&t[i], NULL, yielder, (void *)(uintptr_t)(i + 10)))
            FAIL("pthread_create");
    void *bad = yielder((void *)(uintptr_t)9);
    if (bad)
        FAIL("the main thread's YMM or MXCSR changed across switches");
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], &bad);
        if (bad)
            FAIL("thread %d's YMM or MXCSR changed across switches", i);
    }
}

static void install_flags(int s, void *handler, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER | flags;
    if (sigaction(s, &sa, NULL)) {
        perror("sigaction");
        exit(1);
    }
}

static void install(int s, void *handler)
{
    install_flags(s, handler, 0);
}

/* --- a frame the alternate stack cannot hold ----------------------------- */

static volatile int depth;

static void on_usr1_nested(int s, siginfo_t *si, void *ctx)
{
    (void)si, (void)ctx;
    if (++depth == 1)
        syscall(SYS_kill, getpid(), s);
    printf("FAIL: a signal frame at depth %d fit a 2048-byte stack\n", depth);
    _exit(1);
}

/* A handler on a MINSIGSTKSZ (2048-byte) alternate stack signals itself:
 * the second frame (with the XSAVE image, over 1300 bytes each) does not
 * fit, and Linux gives SIGSEGV rather than write it below the stack.
 * Natively with AVX-512 not even the first fits.  Dies by SIGSEGV. */
static void altstack_overflow(void)
{
    static uint8_t mem[65536] __attribute__((aligned(64)));
    stack_t ss = {.ss_sp = mem + 32768, .ss_size = 2048};
    if (sigaltstack(&ss, NULL)) {
        perror("sigaltstack");
        exit(1);
    }
    install_flags(SIGUSR1, on_usr1_nested, SA_ONSTACK);
    syscall(SYS_kill, getpid(), SIGUSR1);
    printf("FAIL: returned from the signal\n");
    exit(1);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    check_enabled();
    if (argc > 1 && !strcmp(argv[1], "altstack-overflow"))
        altstack_overflow();
    install(SIGUSR1, on_usr1);
    install(SIGUSR2, on_usr2);
    install(SIGSEGV, on_segv);
    signal_roundtrip();
    spoilt("header", 1);
    spoilt("xstate_bv", 1);
    spoilt("mxcsr", 1);
    spoilt("magic1", 0);
    spoilt("null", 0);
    threads();
    if (failed)
        return 1;
    printf("SUCCESS\n");
    return 0;
}
