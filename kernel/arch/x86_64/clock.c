/*
 * arch/x86_64/clock.c — time.  The TSC is the clock source: its rate comes
 * from CPUID leaf 0x15/0x16 or the hypervisor's leaf 0x40000010 when they
 * give one, and otherwise from counting PIT channel 0 ticks (1.193182 MHz)
 * over 1 ms (pit_calibrate).  Wall-clock time is read once from the CMOS RTC at
 * boot.
 *
 * Neither the PIT nor the RTC is promised: Firecracker has no RTC, and a
 * VMM without a device behind a port reads back all ones (or zeros), so
 * every wait on them is bounded.  Without a PIT the rate falls back to
 * CPUID leaf 0x16's base frequency; without an RTC the wall clock starts
 * at the Unix epoch (as Linux's does without one: clock_settime(2) can
 * set it).
 */
#include "arch/x86_64/arch.h"
#include "arch/x86_64/vdso/vdso.h"

#define PIT_HZ 1193182u

static struct {
    uint64_t tsc_hz;
    uint64_t tsc0;      /* TSC at the monotonic clock's zero */
    uint64_t mult;      /* ns = (tsc delta * mult) >> 32 */
    uint64_t real_base; /* Unix time (ns) at tsc0 */
} clk;

static uint16_t pit_read(void)
{
    outb(0x43, 0x00); /* latch channel 0 */
    uint8_t lo = inb(0x40);
    uint8_t hi = inb(0x40);
    return (uint16_t)(hi << 8 | lo);
}

/* Reads of a counter that never move in this many polls: no PIT.  A
 * running PIT moves by a tick every 838 ns, far sooner than that. */
#define PIT_STUCK_POLLS 100000

/* The calibration's error bound: the two edges' uncertainty at most
 * 1/PIT_CAL_ERR_DIV of the window (500 ppm), which is waited for at
 * least PIT_CAL_MIN_TICKS (1 ms) and at most PIT_CAL_MAX_TICKS (20 ms,
 * well short of the count's reload). */
#define PIT_CAL_ERR_DIV 2000
#define PIT_CAL_MIN_TICKS (PIT_HZ / 1000)
#define PIT_CAL_MAX_TICKS (PIT_HZ / 50)

/* Attempts at catching an edge one tick away before taking a coarser
 * one. */
#define PIT_EDGE_TRIES 16

/*
 * The TSC at a moment the PIT's count changes: polls until the count
 * moves off *count and takes the midpoint of the TSC read before and
 * after the read that saw it move; *err gets half their distance, the
 * uncertainty.  A move of more than one tick means the poll was slower
 * than a tick (the vCPU was off its host CPU, or port reads are slow):
 * the next edge is tried, up to PIT_EDGE_TRIES times, before the edge is
 * taken as it is.  *count becomes the new count.  Returns the TSC, or 0
 * when the counter never moves (no PIT).
 */
static uint64_t pit_edge(uint16_t *count, uint64_t *err)
{
    uint16_t prev = *count;
    uint64_t before = rdtsc();
    for (unsigned still = 0, tries = 0; still <= PIT_STUCK_POLLS;) {
        uint16_t now = pit_read();
        uint64_t after = rdtsc();
        if (now == prev) {
            still++;
            before = after;
            continue;
        }
        *count = now;
        if ((uint16_t)(prev - now) == 1 || ++tries >= PIT_EDGE_TRIES) {
            *err = (after - before) / 2;
            return before + *err;
        }
        prev = now;
        still = 0;
        before = after;
    }
    return 0;
}

/*
 * The TSC's rate from the PIT, or 0 when there is no PIT: the TSC
 * between two edges of the count, from at least 1 ms apart until the
 * edges' uncertainty is under 500 ppm of it (at most 20 ms).  Under
 * QEMU's TCG a poll takes well under a tick, so 1 ms does (the boot's
 * whole wait; it was 5 ms counted in whole ticks, no more accurate).
 */
static uint64_t pit_calibrate(void)
{
    outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
    outb(0x40, 0xff);
    outb(0x40, 0xff);
    uint16_t now = pit_read(), start;
    uint64_t err0, err1, t0 = pit_edge(&now, &err0), t1;
    if (!t0)
        return 0;
    start = now;
    do {
        t1 = pit_edge(&now, &err1);
        if (!t1)
            return 0;
    } while ((uint16_t)(start - now) < PIT_CAL_MAX_TICKS &&
             ((uint16_t)(start - now) < PIT_CAL_MIN_TICKS ||
              (err0 + err1) * PIT_CAL_ERR_DIV > t1 - t0));
    return (t1 - t0) * PIT_HZ / (uint16_t)(start - now);
}

/* CPUID leaf 0x16: the processor's base frequency in MHz, or 0. */
static uint64_t cpuid_base_hz(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    if (r[0] < 0x16)
        return 0;
    cpuid(0x16, 0, r);
    return (uint64_t)(r[0] & 0xffff) * 1000000;
}

#define TSC_HZ_GUESS 2000000000ull

static uint64_t cpuid_tsc_hz(void)
{
    uint32_t r[4];
    cpuid(0x40000000, 0, r);
    if (r[0] >= 0x40000010) {
        cpuid(0x40000010, 0, r);
        if (r[0])
            return (uint64_t)r[0] * 1000;
    }
    cpuid(0, 0, r);
    if (r[0] >= 0x15) {
        cpuid(0x15, 0, r);
        if (r[0] && r[1] && r[2])
            return (uint64_t)r[2] * r[1] / r[0];
    }
    return 0;
}

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static unsigned bcd(uint8_t v, bool binary)
{
    return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* An update takes at most 1984 us after UIP rises (the MC146818 data
 * sheet).  A port with no RTC behind it reads all ones, which is how a
 * missing RTC is told; the wait is still bounded, generously, for a
 * device that holds UIP up: under a busy host an emulated vCPU can be
 * off its core for tens of milliseconds between two polls, and a clock
 * wrongly left at 1970 stamps every file the program writes. */
#define RTC_UIP_WAIT_NS 1000000000ull

static uint64_t rtc_read_unix(void)
{
    if (cmos(0x0a) == 0xff && cmos(0x0b) == 0xff)
        return 0; /* no device: register B's bit 7 (SET) is never 1 */
    uint64_t t0 = rdtsc();
    while (cmos(0x0a) & 0x80)
        if (clock_tsc_to_ns(rdtsc() - t0) > RTC_UIP_WAIT_NS)
            return 0;
    uint8_t b = cmos(0x0b);
    bool bin = b & 4, h24 = b & 2;
    unsigned sec = bcd(cmos(0x00), bin), min = bcd(cmos(0x02), bin);
    uint8_t hraw = cmos(0x04);
    unsigned hour = bcd(hraw & 0x7f, bin);
    unsigned day = bcd(cmos(0x07), bin), mon = bcd(cmos(0x08), bin);
    unsigned year = bcd(cmos(0x09), bin), cent = bcd(cmos(0x32), bin);
    if (!h24) {
        hour %= 12;
        if (hraw & 0x80)
            hour += 12;
    }
    year += (cent >= 19 && cent <= 99) ? cent * 100 : 2000;
    if (mon < 1 || mon > 12 || day < 1 || day > 31)
        return 0;
    return (uint64_t)days_from_civil(year, mon, day) * 86400 + hour * 3600 +
           min * 60 + sec;
}

void clock_init(void)
{
    clk.tsc_hz = cpuid_tsc_hz();
    if (!clk.tsc_hz)
        clk.tsc_hz = pit_calibrate();
    if (!clk.tsc_hz)
        clk.tsc_hz = cpuid_base_hz();
    if (!clk.tsc_hz) {
        clk.tsc_hz = TSC_HZ_GUESS;
        kprintf("gorump: no PIT and no CPUID TSC rate: time runs at a "
                "guessed 2 GHz\n");
    }
    clk.mult = ((unsigned __int128)1000000000u << 32) / clk.tsc_hz;
    clk.tsc0 = boot_tsc;
    uint64_t unix = rtc_read_unix();
    if (!unix)
        kprintf("gorump: no usable RTC: the wall clock starts at 1970\n");
    clk.real_base = unix * 1000000000u - clock_mono_ns();
}

void clock_vdso_data(struct vdso_data *d)
{
    *d = (struct vdso_data){.version = VDSO_DATA_VERSION,
                            .tsc0 = clk.tsc0,
                            .mult = clk.mult,
                            .real_base = clk.real_base};
}

uint64_t clock_tsc_hz(void)
{
    return clk.tsc_hz;
}

uint64_t clock_tsc_to_ns(uint64_t d)
{
    return (uint64_t)(((unsigned __int128)d * clk.mult) >> 32);
}

uint64_t clock_mono_ns(void)
{
    return clock_tsc_to_ns(rdtsc() - clk.tsc0);
}

uint64_t clock_real_ns(void)
{
    return clk.real_base + clock_mono_ns();
}
