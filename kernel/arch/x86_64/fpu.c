/*
 * arch/x86_64/fpu.c — the program's floating-point and vector registers:
 * x87, SSE and, where the CPU has XSAVE, AVX and AVX-512 as well.  Every
 * CPU turns on CR4.OSXSAVE and the same XCR0 at boot, so CPUID shows
 * programs OSXSAVE and they use AVX (Go's internal/cpu checks XGETBV for
 * the YMM bits, and the ZMM ones for AVX-512).  Each thread owns an area
 * of fpu_area_size() bytes saved and restored at every switch (XSAVEOPT
 * and XRSTOR in the standard form, Intel SDM vol. 1 ch. 13; FXSAVE's 512
 * bytes without XSAVE), and the same image is what a signal frame
 * carries, with Linux's software-reserved bytes (asm/sigcontext.h, struct
 * _fpx_sw_bytes) so a program can tell how much of it there is.
 */
#include "arch/x86_64/arch.h"

/* XCR0 bits: state components (SDM vol. 1 §13.1). */
#define XF_X87 (1UL << 0)
#define XF_SSE (1UL << 1)
#define XF_YMM (1UL << 2)
#define XF_AVX512 (7UL << 5) /* opmask, ZMM_Hi256, Hi16_ZMM: all or none */
#define CR4_OSFXSR (1UL << 9)
#define CR4_OSXMMEXCPT (1UL << 10)
#define CR4_OSXSAVE (1UL << 18)
#define CPUID1_XSAVE (1u << 26)

/* The legacy region (SDM vol. 1 §10.5.1) and the XSAVE header. */
#define OFF_FCW 0
#define OFF_MXCSR 24
#define OFF_MXCSR_MASK 28
#define OFF_SW 464 /* bytes 464..511: software's (struct _fpx_sw_bytes) */
#define LEGACY_SIZE 512
#define OFF_XSTATE_BV 512
#define HDR_SIZE 64
#define FCW_INIT 0x37f    /* all x87 exceptions masked, 64-bit precision */
#define MXCSR_INIT 0x1f80 /* all SSE exceptions masked, round to nearest */
#define MAGIC1 0x46505853u
#define MAGIC2 0x46505845u
#define MAGIC2_SIZE 4

/* Linux's struct _fpx_sw_bytes, at OFF_SW of a signal frame's image. */
struct sw_bytes {
    uint32_t magic1;
    uint32_t extended_size; /* the image and MAGIC2 after it */
    uint64_t xfeatures;     /* the components the image may hold */
    uint32_t xstate_size;   /* the image without MAGIC2 */
    uint32_t padding[7];
};
_Static_assert(OFF_SW + sizeof(struct sw_bytes) == LEGACY_SIZE, "sw bytes");

static struct {
    uint64_t xcr0;       /* components enabled; 0: FXSAVE only */
    uint32_t size;       /* a thread's area */
    uint32_t mxcsr_mask; /* MXCSR bits XRSTOR and FXRSTOR accept */
    bool xsaveopt;
} fpu = {.size = LEGACY_SIZE, .mxcsr_mask = 0xffbf};

/* The components this CPU can give programs: x87, SSE, AVX and AVX-512
 * (not MPX, PKRU or AMX, whose state needs more than saving).  The same on
 * every CPU of a machine, so each computes it for itself. */
static uint64_t wanted_xcr0(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & CPUID1_XSAVE))
        return 0;
    cpuid(0xd, 0, r);
    uint64_t have = r[0] | ((uint64_t)r[3] << 32), want = XF_X87 | XF_SSE;
    if (have & XF_YMM) {
        want |= XF_YMM;
        if ((have & XF_AVX512) == XF_AVX512)
            want |= XF_AVX512;
    }
    return want;
}

void fpu_cpu_init(void)
{
    uint64_t cr4, xcr0 = wanted_xcr0();
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT | (xcr0 ? CR4_OSXSAVE : 0);
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
    if (xcr0)
        __asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)xcr0),
                         "d"((uint32_t)(xcr0 >> 32)));
}

void fpu_boot(void)
{
    uint8_t fx[LEGACY_SIZE] __aligned(16);
    uint32_t r[4];

    memset(fx, 0, sizeof(fx));
    __asm__ volatile("fxsave64 (%0)" ::"r"(fx) : "memory");
    uint32_t m = *(uint32_t *)(fx + OFF_MXCSR_MASK);
    if (m)
        fpu.mxcsr_mask = m;
    fpu.xcr0 = wanted_xcr0();
    if (!fpu.xcr0)
        return;
    /* EBX: the standard-form size for the components XCR0 enables. */
    cpuid(0xd, 0, r);
    fpu.size = r[1];
    cpuid(0xd, 1, r);
    fpu.xsaveopt = r[0] & 1;
}

size_t fpu_area_size(void)
{
    return fpu.size + (fpu.xcr0 ? MAGIC2_SIZE : 0);
}

uint64_t fpu_xfeatures(void)
{
    return fpu.xcr0;
}

void fpu_init_state(void *area)
{
    uint8_t *a = area;
    memset(a, 0, fpu_area_size());
    *(uint16_t *)(a + OFF_FCW) = FCW_INIT;
    *(uint32_t *)(a + OFF_MXCSR) = MXCSR_INIT;
    /* XSTATE_BV 0: XRSTOR puts every component in its initial state
     * (SDM vol. 1 §13.8.1), except MXCSR, which it always loads. */
}

void fpu_save(void *area)
{
    if (!fpu.xcr0)
        __asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
    else if (fpu.xsaveopt)
        __asm__ volatile("xsaveopt64 (%0)" ::"r"(area), "a"(-1), "d"(-1)
                         : "memory");
    else
        __asm__ volatile("xsave64 (%0)" ::"r"(area), "a"(-1), "d"(-1)
                         : "memory");
}

void fpu_restore(void *area)
{
    if (!fpu.xcr0)
        __asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
    else
        __asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"(-1), "d"(-1)
                         : "memory");
}

void fpu_frame_fill(void *area)
{
    uint8_t *a = area;
    memset(a + OFF_SW, 0, sizeof(struct sw_bytes));
    if (!fpu.xcr0)
        return;
    /* A component in its initial state may not have been written (the
     * init optimisation); the legacy region is always valid in a frame,
     * as on Linux, for handlers that read or edit it. */
    uint64_t *bv = (uint64_t *)(a + OFF_XSTATE_BV);
    if (!(*bv & XF_X87)) {
        memset(a, 0, OFF_MXCSR);
        memset(a + 32, 0, 128); /* ST0..ST7 */
        *(uint16_t *)(a + OFF_FCW) = FCW_INIT;
    }
    if (!(*bv & XF_SSE))
        memset(a + 160, 0, 256); /* XMM0..XMM15 */
    *bv |= XF_X87 | XF_SSE;
    struct sw_bytes *sw = (struct sw_bytes *)(a + OFF_SW);
    sw->magic1 = MAGIC1;
    sw->extended_size = fpu.size + MAGIC2_SIZE;
    sw->xfeatures = fpu.xcr0;
    sw->xstate_size = fpu.size;
    *(uint32_t *)(a + fpu.size) = MAGIC2;
}

size_t fpu_frame_xsize(const void *legacy)
{
    struct sw_bytes sw;
    memcpy(&sw, (const uint8_t *)legacy + OFF_SW, sizeof(sw));
    if (!fpu.xcr0 || sw.magic1 != MAGIC1 ||
        sw.xstate_size < LEGACY_SIZE + HDR_SIZE || sw.xstate_size > fpu.size ||
        sw.xstate_size + MAGIC2_SIZE > sw.extended_size)
        return 0;
    return sw.xstate_size;
}

bool fpu_frame_magic2(uint32_t word)
{
    return word == MAGIC2;
}

int fpu_frame_load(void *area, size_t xsize)
{
    uint8_t *a = area;
    /* MXCSR is loaded whatever the header says: a reserved bit set makes
     * FXRSTOR and XRSTOR fault (#GP), which Linux turns into SIGSEGV. */
    if (*(uint32_t *)(a + OFF_MXCSR) & ~fpu.mxcsr_mask)
        return -EINVAL;
    if (!fpu.xcr0)
        return 0;
    uint64_t *hdr = (uint64_t *)(a + OFF_XSTATE_BV);
    if (!xsize) {
        /* No valid extended part: the legacy region alone, the rest in
         * its initial state, as FXRSTOR would leave it on Linux. */
        memset(hdr, 0, fpu_area_size() - LEGACY_SIZE);
        hdr[0] = XF_X87 | XF_SSE;
        return 0;
    }
    /* What makes XRSTOR fault in the standard form (SDM vol. 1 §13.8 and
     * XRSTOR's exceptions): XSTATE_BV naming a component XCR0 does not
     * enable, or XCOMP_BV and the next 8 bytes not zero. */
    if ((hdr[0] & ~fpu.xcr0) || hdr[1] || hdr[2])
        return -EINVAL;
    struct sw_bytes sw;
    memcpy(&sw, a + OFF_SW, sizeof(sw));
    memset(a + xsize, 0, fpu_area_size() - xsize);
    memset(&hdr[3], 0, HDR_SIZE - 3 * sizeof(uint64_t));
    hdr[0] &= sw.xfeatures; /* the rest starts from its initial state */
    return 0;
}
