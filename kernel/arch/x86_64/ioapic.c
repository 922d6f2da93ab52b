/*
 * arch/x86_64/ioapic.c — device interrupts: vectors handed out from
 * VEC_DEVICE_FIRST up, the MSI address of this CPU, and the I/O APIC
 * (82093AA datasheet §3.2) that routes wired interrupt lines (GSIs) of
 * virtio-mmio devices to those vectors.
 *
 * Routes are edge-triggered, active high, as Linux programs ISA-style
 * lines on microvm.  QEMU's virtio-mmio raises its line to the level of
 * its interrupt status on every notification, and QEMU's I/O APIC
 * delivers an edge-mode interrupt on every raise (hw/intc/ioapic.c,
 * ioapic_set_irq), so a driver that acknowledges the device before it
 * looks at its rings loses nothing, and needs no EOI to the I/O APIC:
 * the local APIC EOI that trap.c sends is all there is.
 *
 * Without ACPI or an MP table we do not discover the I/O APIC: it is
 * assumed at its conventional address and checked through its version
 * register the first time a route is asked for.
 */
#include "arch/x86_64/arch.h"
#include "mm/mm.h"

#define IOAPIC_PA 0xfec00000UL
#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01
#define REG_RTE(n) (0x10 + 2 * (n))
#define RTE_MASKED (1u << 16)
#define IOAPIC_PINS_MAX 240

static struct {
    volatile uint32_t *regs; /* mapped on first use */
    bool probed, present;
    unsigned npins;
    uint8_t vector[IOAPIC_PINS_MAX]; /* routed vector per pin, 0: none */
    unsigned next_vector;            /* for irq_vector_alloc */
} ioapic;

int irq_vector_alloc(void)
{
    if (ioapic.next_vector == 0)
        ioapic.next_vector = VEC_DEVICE_FIRST;
    if (ioapic.next_vector > VEC_DEVICE_LAST)
        return -ENOSPC;
    return (int)ioapic.next_vector++;
}

/* CPUID leaf 1 gives the initial APIC ID, which is the xAPIC ID as long
 * as nobody rewrites it (we do not). */
static uint8_t this_apic_id(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    return (uint8_t)(r[1] >> 24);
}

uint32_t irq_msi_address(void)
{
    return 0xfee00000u | (uint32_t)this_apic_id() << 12;
}

static uint32_t ioapic_read(unsigned reg)
{
    ioapic.regs[IOREGSEL / 4] = reg;
    return ioapic.regs[IOWIN / 4];
}

static void ioapic_write(unsigned reg, uint32_t v)
{
    ioapic.regs[IOREGSEL / 4] = reg;
    ioapic.regs[IOWIN / 4] = v;
}

/* Absent memory reads as all ones (or zeros): neither is a version. */
static bool ioapic_probe(void)
{
    if (ioapic.probed)
        return ioapic.present;
    ioapic.probed = true;
    ioapic.regs = mmio_map(IOAPIC_PA, PAGE_SIZE);
    uint32_t ver = ioapic_read(REG_VER);
    if (ver == 0xffffffffu || (ver & 0xff) < 0x10) {
        kprintf("gorump: ioapic: none at 0x%lx (version register %x)\n",
                IOAPIC_PA, ver);
        return false;
    }
    ioapic.npins = MIN(((ver >> 16) & 0xff) + 1, IOAPIC_PINS_MAX);
    ioapic.present = true;
    return true;
}

int ioapic_route(unsigned gsi, uint8_t vector)
{
    if (!ioapic_probe())
        return -ENODEV;
    if (gsi >= ioapic.npins)
        return -EINVAL;
    if (ioapic.vector[gsi])
        return -EBUSY;
    ioapic.vector[gsi] = vector;
    /* Destination first, so the entry never points elsewhere unmasked. */
    ioapic_write(REG_RTE(gsi), RTE_MASKED);
    ioapic_write(REG_RTE(gsi) + 1, (uint32_t)this_apic_id() << 24);
    ioapic_write(REG_RTE(gsi), RTE_MASKED | vector);
    return 0;
}

static void ioapic_set_mask(unsigned gsi, bool masked)
{
    if (!ioapic.present || gsi >= ioapic.npins || !ioapic.vector[gsi])
        return;
    uint32_t lo = ioapic_read(REG_RTE(gsi));
    lo = masked ? lo | RTE_MASKED : lo & ~RTE_MASKED;
    ioapic_write(REG_RTE(gsi), lo);
}

void ioapic_mask(unsigned gsi)
{
    ioapic_set_mask(gsi, true);
}

void ioapic_unmask(unsigned gsi)
{
    ioapic_set_mask(gsi, false);
}
