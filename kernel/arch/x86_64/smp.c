/*
 * arch/x86_64/smp.c — the application processors (APs): found where the
 * machine describes them, the ACPI MADT (q35, cloud-hypervisor) or else
 * the MP table (microvm with acpi=off, whose firmware qboot writes one;
 * Firecracker), started with INIT-SIPI-SIPI, each with its own struct cpu
 * (GDT, TSS, two IST stacks, GS), IDT and local APIC, then parked in
 * `hlt` until the scheduler's first kick sends it to its idle loop (an
 * idle AP costs the host nothing: under TCG a spinning vCPU burns a host
 * core).  The BKL and the IPIs are smp_ipi.c's.
 *
 * smp_init only starts the APs; the boot CPU goes on with the boot while
 * they come up (a vCPU thread that must wait for a host CPU then delays
 * nothing) and waits for them in smp_wait, just before the program, a
 * bounded time.  It reports those that did not start; the machine then
 * runs without them, never hangs.  Until smp_wait the kernel runs as on
 * one CPU (smp_multi is false): the APs write only their own struct
 * cpu, registers and local APIC, and none leaves its park before
 * smp_wait counted it.
 */
#include "arch/x86_64/arch.h"
#include "mm/mm.h"

#define ICR_INIT 0x4500    /* INIT, level assert (Intel SDM vol. 3 §10.6.1) */
#define ICR_STARTUP 0x4600 /* STARTUP; the vector is the start page */
/* The MP spec's (B.4) and Intel SDM vol. 3 §8.4.4.1's waits: 10 ms after
 * INIT, 200 us after each STARTUP.  The 10 ms are for the external
 * 82489DX APICs the MP spec was written for; a hypervisor's virtual local
 * APIC (QEMU's TCG and KVM, Firecracker, cloud-hypervisor) takes INIT at
 * once, holding a STARTUP that follows until INIT is done, so the wait is
 * kept only on bare metal: it was most of what a second CPU added to the
 * boot (bench/smp/run). */
#define INIT_WAIT_NS 10000000ull
#define SIPI_WAIT_NS 200000ull
/* An AP takes microseconds under KVM and milliseconds under TCG; this
 * much leaves room for a loaded host. */
#define AP_WAIT_NS 2000000000ull

/* Read by smp_tramp.S: the page tables an AP switches to, and each AP's
 * struct cpu by its APIC ID. */
uint64_t smp_ap_cr3;
struct cpu *smp_by_apic[256];
extern const char smp_tramp[], smp_tramp_end[];

static struct {
    unsigned found, up;
    uint8_t apic[SMP_CPUS_MAX];     /* [0]: the boot CPU */
    unsigned ignored;               /* past SMP_CPUS_MAX, or x2APIC-only */
    const uint8_t *low;             /* the first MiB, mapped to be scanned */
    struct cpu *cpus[SMP_CPUS_MAX]; /* [0]: &cpu0; NULL: did not start */
    __noreturn void (*volatile ap_fn)(void); /* the APs' idle loop */
    bool started;          /* smp_send_startup sent the INIT and STARTUPs */
    volatile bool closed;  /* the boot CPU stopped waiting for APs */
    volatile bool counted; /* smp.cpus and smp.up are final */
    uint64_t start_ns;     /* when the STARTUPs went */
} smp;

struct cpu *smp_cpu(unsigned i)
{
    if (i == 0)
        return &cpu0;
    struct cpu *c = i < smp.found ? smp.cpus[i] : NULL;
    return c && __atomic_load_n(&c->online, __ATOMIC_ACQUIRE) ? c : NULL;
}

void smp_start_aps(__noreturn void (*fn)(void))
{
    smp.ap_fn = fn;
}

unsigned smp_cpus_found(void)
{
    return smp.found ? smp.found : 1;
}

unsigned smp_cpus_up(void)
{
    return smp.up ? smp.up : 1;
}

static bool sum_ok(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s += *p++;
    return s == 0;
}

static void add_cpu(uint8_t apic, bool enabled)
{
    if (!enabled || apic == smp.apic[0])
        return;
    if (smp.found < SMP_CPUS_MAX)
        smp.apic[smp.found++] = apic;
    else
        smp.ignored++;
}

/* The first structure starting with sig (n bytes) on a 16-byte boundary
 * whose first len bytes sum to 0, where the ACPI spec (§5.2.5.1) and the
 * MP spec (§4) say to look: the first KiB of the EBDA, the last KiB of
 * base memory, 0xE0000-0xFFFFF.  NULL if none. */
static const uint8_t *low_mib(void)
{
    if (!smp.low)
        smp.low = mmio_map(0, 0x100000);
    return smp.low;
}

static const uint8_t *bios_find(const char *sig, size_t n, size_t len)
{
    low_mib();
    uint32_t ebda = (uint32_t) * (const uint16_t *)(smp.low + 0x40e) << 4;
    const uint32_t areas[3][2] = {
        {ebda, ebda + 1024}, {0x9fc00, 0xa0000}, {0xe0000, 0x100000}};
    for (int a = 0; a < 3; a++) {
        if (areas[a][0] < 0x400 || areas[a][1] > 0x100000)
            continue;
        for (uint32_t p = areas[a][0]; p + len <= areas[a][1]; p += 16)
            if (!memcmp(smp.low + p, sig, n) && sum_ok(smp.low + p, len))
                return smp.low + p;
    }
    return NULL;
}

/* An ACPI table's header (ACPI 6.5 §5.2.6). */
struct acpi_sdt {
    char sig[4];
    uint32_t len;
    uint8_t rev, sum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __packed;

/* The table at pa, mapped whole if its checksum holds, else NULL. */
static const uint8_t *acpi_table(uint64_t pa, const char *sig)
{
    if (!pa || pa + (1 << 20) >= cpu_phys_limit())
        return NULL;
    const struct acpi_sdt *h = mmio_map(pa, sizeof(*h));
    if (memcmp(h->sig, sig, 4) || h->len < sizeof(*h) || h->len > (1 << 20))
        return NULL;
    const uint8_t *t = mmio_map(pa, h->len);
    return sum_ok(t, h->len) ? t : NULL;
}

/* The MADT's processors (ACPI 6.5 §5.2.12.2): type 0 entries, APIC ID at
 * 3, flags at 4 (bit 0 enabled; online-capable ones are for hotplug).
 * x2APIC entries (type 9) only describe IDs past 254, which xAPIC mode
 * cannot address.  An entry whose length runs past the table ends the
 * walk: the table is mapped only as long as it says it is. */
static void madt_read(const uint8_t *t)
{
    uint32_t len = ((const struct acpi_sdt *)t)->len;
    for (uint32_t off = 44;
         off + 2 <= len && t[off + 1] >= 2 && off + t[off + 1] <= len;
         off += t[off + 1]) {
        const uint8_t *e = t + off;
        if (e[0] == 0 && e[1] >= 8)
            add_cpu(e[3], e[4] & 1);
        else if (e[0] == 9 && e[1] >= 16 && (e[8] & 1))
            smp.ignored++;
    }
}

/* The RSDP (ACPI 6.5 §5.2.5.3) -> XSDT (revision 2, 8-byte entries) or
 * RSDT (4-byte) -> the table signed "APIC".  false if there is none. */
static bool madt_find(const uint8_t *rsdp)
{
    if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) || !sum_ok(rsdp, 20))
        rsdp = bios_find("RSD PTR ", 8, 20);
    if (!rsdp)
        return false;
    uint64_t xsdt;
    memcpy(&xsdt, rsdp + 24, 8);
    bool x = rsdp[15] >= 2 && xsdt;
    uint64_t root = x ? xsdt : *(const uint32_t *)(rsdp + 16);
    const uint8_t *t = acpi_table(root, x ? "XSDT" : "RSDT");
    if (!t)
        return false;
    uint32_t len = ((const struct acpi_sdt *)t)->len, esz = x ? 8 : 4;
    for (uint32_t off = sizeof(struct acpi_sdt); off + esz <= len; off += esz) {
        uint64_t pa = 0;
        memcpy(&pa, t + off, esz);
        const uint8_t *madt = acpi_table(pa, "APIC");
        if (madt) {
            madt_read(madt);
            return true;
        }
    }
    return false;
}

/* The MP table (MP spec 1.4 §4): the floating pointer "_MP_" gives the
 * configuration table "PCMP", whose entries from byte 44 to its length are
 * processors (type 0, 20 bytes: APIC ID at 1, flags at 3, bit 0 enabled)
 * or 8-byte entries of types 1-4.  Its entry count is not trusted: qboot
 * leaves it 0 (Linux walks by the length too). */
static void mp_find(void)
{
    const uint8_t *fp = bios_find("_MP_", 4, 16);
    uint32_t pa;
    if (!fp || !(pa = *(const uint32_t *)(fp + 4)) || pa >= 0x100000 - 44)
        return;
    const uint8_t *t = smp.low + pa;
    uint16_t len = *(const uint16_t *)(t + 4);
    if (memcmp(t, "PCMP", 4) || pa + len > 0x100000 || !sum_ok(t, len))
        return;
    for (uint32_t off = 44; off + 8 <= len && t[off] <= 4;
         off += t[off] == 0 ? 20 : 8)
        if (t[off] == 0 && off + 20 <= len)
            add_cpu(t[off + 1], t[off + 3] & 1);
}

static void delay_ns(uint64_t ns)
{
    uint64_t t0 = rdtsc(), span = ns * clock_tsc_hz() / 1000000000u;
    while (rdtsc() - t0 < span)
        __builtin_ia32_pause();
}

/* The AP's struct cpu, its stack (the kernel's guarded kind) and its two
 * IST stacks, or NULL. */
static struct cpu *ap_alloc(unsigned id)
{
    struct cpu *c = kzalloc(sizeof(*c));
    uint64_t stack = kstack_alloc(), ist = pmem_alloc(2);
    if (!c || !stack || !ist) {
        kfree(c);
        if (stack)
            kstack_free(stack);
        if (ist)
            pmem_free(ist, 2);
        return NULL;
    }
    c->id = id;
    c->apic_id = smp.apic[id];
    c->kstack_top = stack + KSTACK_SIZE;
    c->tss.rsp[0] = c->kstack_top;
    c->tss.ist[0] = (uint64_t)phys_to_virt(ist) + CPU_IST_SIZE;
    c->tss.ist[1] = c->tss.ist[0] + CPU_IST_SIZE;
    list_init(&c->runq); /* threads may be queued once it is online */
    return c;
}

/* Called by smp_tramp.S on the AP, on its own stack. */
__noreturn void smp_ap_main(struct cpu *c);
__noreturn void smp_ap_main(struct cpu *c)
{
    cpu_init_ap(c);
    if (smp.closed) /* too late: the machine runs without it */
        for (;;)
            __asm__ volatile("cli; hlt" ::: "memory");
    trap_load_idt();
    apic_init_ap();
    c->halted = true; /* the scheduler's first smp_kick wakes it */
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&smp.counted, __ATOMIC_ACQUIRE) || !smp.ap_fn)
        cpu_relax_halt();
    if (smp.cpus[c->id] != c) /* online after smp_wait gave up on it */
        for (;;)
            __asm__ volatile("cli; hlt" ::: "memory");
    smp.ap_fn();
}

/* INIT to every AP, 10 ms, STARTUP twice; an AP already running ignores
 * the second (SDM vol. 3 §8.4.4.1). */
static void ap_start_all(struct cpu **cpus)
{
    for (unsigned i = 1; i < smp.found; i++)
        if (cpus[i])
            apic_ipi(cpus[i]->apic_id, ICR_INIT);
    if (!cpu_under_hypervisor())
        delay_ns(INIT_WAIT_NS);
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 1; i < smp.found; i++)
            if (cpus[i])
                apic_ipi(cpus[i]->apic_id, ICR_STARTUP | SMP_TRAMP_PA >> 12);
        delay_ns(SIPI_WAIT_NS);
    }
    smp.start_ns = clock_mono_ns();
}

void smp_init(const void *rsdp)
{
    smp.apic[0] = cpu0.apic_id = apic_id();
    smp.found = smp.up = 1;
    if (!madt_find(rsdp))
        mp_find();
    if (smp.ignored)
        kprintf("gorump: smp: %u CPUs left out (more than %d, or x2APIC "
                "IDs)\n",
                smp.ignored, SMP_CPUS_MAX);
    if (smp.found == 1)
        return;
    memcpy((void *)(low_mib() + SMP_TRAMP_PA), smp_tramp,
           (size_t)(smp_tramp_end - smp_tramp));
    smp_ap_cr3 = read_cr3();
    struct cpu **cpus = smp.cpus;
    for (unsigned i = 1; i < smp.found; i++)
        if ((cpus[i] = ap_alloc(i)))
            smp_by_apic[smp.apic[i]] = cpus[i];
}

void smp_send_startup(void)
{
    if (smp.found <= 1 || smp.started)
        return;
    smp.started = true;
    ap_start_all(smp.cpus);
}

void smp_wait(void)
{
    struct cpu **cpus = smp.cpus;
    if (smp.found <= 1)
        return;
    smp_send_startup();
    unsigned i = 1;
    while (i < smp.found && clock_mono_ns() - smp.start_ns < AP_WAIT_NS) {
        if (!cpus[i] || __atomic_load_n(&cpus[i]->online, __ATOMIC_ACQUIRE))
            i++;
        else
            __builtin_ia32_pause();
    }
    smp.closed = true;
    for (i = 1; i < smp.found; i++) {
        if (cpus[i] && __atomic_load_n(&cpus[i]->online, __ATOMIC_ACQUIRE)) {
            smp.up++;
            continue;
        }
        cpus[i] = NULL;
        kprintf("gorump: smp: CPU %u (APIC ID %u) did not start\n", i,
                smp.apic[i]);
    }
    smp_ipi_init();
    smp_multi = smp.up > 1;
    __atomic_store_n(&smp.counted, true, __ATOMIC_RELEASE);
    if (cmdline_has("gorump.verbose"))
        kprintf("gorump: smp: %u of %u CPUs up\n", smp.up, smp.found);
}
