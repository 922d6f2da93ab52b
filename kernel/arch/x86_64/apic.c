/*
 * arch/x86_64/apic.c — the local APIC: enabled in xAPIC mode, legacy 8259
 * PICs masked, and its timer used one-shot, re-armed by the scheduler for
 * the next deadline (no periodic tick: an idle guest costs the host
 * nothing).  Intel SDM vol. 3 §10.5.4.
 */
#include "arch/x86_64/arch.h"
#include "mm/mm.h"

#define APIC_ID 0x20
#define APIC_TPR 0x80
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define ICR_PENDING (1u << 12) /* delivery status: send pending */
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)

static struct {
    volatile uint32_t *regs;
    uint64_t hz;      /* timer ticks per second at divide-by-16 */
    uint64_t cal_tsc; /* TSC when calibration's count began */
} apic;

static uint32_t apic_read(unsigned reg)
{
    return apic.regs[reg / 4];
}

static void apic_write(unsigned reg, uint32_t v)
{
    apic.regs[reg / 4] = v;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

void apic_set_tpr(uint32_t tpr)
{
    apic_write(APIC_TPR, tpr);
}

/* The timer counts down from its start in apic_init while clock_init
 * calibrates the TSC (1 ms or more of the PIT, usually), and is read
 * here, so that the two share one window instead of waiting one after
 * the other.  At least 1 ms of it, when the TSC's rate came from CPUID at
 * once: its rate only decides how close to a deadline the timer fires
 * (the deadline itself is checked against the TSC). */
#define APIC_CAL_MIN_HZ_DIV 1000 /* 1/1000 s = 1 ms */

static void apic_calibrate_start(void)
{
    apic_write(APIC_TIMER_DIV, 0x3);
    apic_write(APIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
    apic_write(APIC_TIMER_INIT, 0xffffffff);
    apic.cal_tsc = rdtsc();
}

/* The hypervisor's timing leaf (0x40000010: EBX, the local APIC's bus
 * in kHz), or 0; the timer counts that bus divided by 16.  Only under a
 * hypervisor (CPUID.1:ECX bit 31): on bare metal leaf 0x40000000 echoes
 * the highest basic leaf. */
static uint64_t apic_cpuid_hz(void)
{
    uint32_t r[4];
    if (!cpu_under_hypervisor())
        return 0;
    cpuid(0x40000000, 0, r);
    if (r[0] < 0x40000010)
        return 0;
    cpuid(0x40000010, 0, r);
    return (uint64_t)r[1] * 1000 / 16;
}

void apic_calibrate(void)
{
    uint64_t span = clock_tsc_hz() / APIC_CAL_MIN_HZ_DIV;
    while (rdtsc() - apic.cal_tsc < span)
        ;
    uint32_t ticks = 0xffffffff - apic_read(APIC_TIMER_CUR);
    uint64_t elapsed = rdtsc() - apic.cal_tsc;
    apic_write(APIC_TIMER_INIT, 0);
    apic.hz = apic_cpuid_hz();
    if (!apic.hz)
        apic.hz =
            (uint64_t)((unsigned __int128)ticks * clock_tsc_hz() / elapsed);
    if (apic.hz == 0)
        panic("apic: timer does not count");
    apic_write(APIC_LVT_TIMER, VEC_TIMER); /* one-shot, unmasked */
}

/* Every CPU's local APIC is at the same physical address (its own), so
 * apic.regs serves all of them. */
static uint64_t apic_enable(void)
{
    uint64_t base = rdmsr(0x1b);
    wrmsr(0x1b, base | (1 << 11)); /* global enable */
    return base & ~0xfffUL;
}

void apic_init(void)
{
    /* Mask both 8259s; all interrupts come through the (IO)APIC. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);

    apic.regs = mmio_map(apic_enable(), PAGE_SIZE);
    apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
    apic_calibrate_start();
}

/* The timer's rate is the boot CPU's: every local APIC counts the same
 * bus clock. */
void apic_init_ap(void)
{
    apic_enable();
    apic_write(APIC_SVR, 0x100 | VEC_SPURIOUS);
    apic_write(APIC_TIMER_DIV, 0x3);
    apic_write(APIC_TIMER_INIT, 0);
    apic_write(APIC_LVT_TIMER, VEC_TIMER);
}

uint8_t apic_id(void)
{
    return (uint8_t)(apic_read(APIC_ID) >> 24);
}

int apic_ipi(uint8_t dest, uint32_t icr)
{
    apic_write(APIC_ICR_HI, (uint32_t)dest << 24);
    apic_write(APIC_ICR_LO, icr);
    uint64_t t0 = rdtsc(), span = clock_tsc_hz() / 1000;
    while (apic_read(APIC_ICR_LO) & ICR_PENDING)
        if (rdtsc() - t0 > span)
            return -ETIMEDOUT;
    return 0;
}

void apic_timer_arm(uint64_t ns)
{
    if (ns == 0) {
        apic_write(APIC_TIMER_INIT, 0);
        return;
    }
    uint64_t ticks = (unsigned __int128)ns * apic.hz / 1000000000u;
    if (ticks == 0)
        ticks = 1;
    if (ticks > 0xffffffffu)
        ticks = 0xffffffffu;
    apic_write(APIC_TIMER_INIT, (uint32_t)ticks);
}
