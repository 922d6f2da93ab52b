/*
 * drv/pci.c — PCI configuration space through ports 0xcf8/0xcfc, the bus
 * scan, BARs, capabilities and MSI-X (see pci.h).  We do not assign
 * resources: the firmware (SeaBIOS on q35) has placed every BAR before
 * the kernel starts, and a BAR it left at 0 makes the device unusable.
 */
#include "arch/x86_64/arch.h"
#include "drv/pci.h"
#include "mm/mm.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

#define PCI_VENDOR 0x00
#define PCI_DEVICE 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_SUBCLASS 0x0a
#define PCI_CLASS 0x0b
#define PCI_HEADER 0x0e
#define PCI_BAR0 0x10
#define PCI_SECONDARY_BUS 0x19
#define PCI_CAP_PTR 0x34

#define CMD_MEMORY (1u << 1)
#define CMD_MASTER (1u << 2)
#define CMD_INTX_OFF (1u << 10)
#define STATUS_CAPS (1u << 4)

#define MSIX_CTRL 2
#define MSIX_TABLE 4
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)

#define BUS_DEPTH_MAX 8 /* bridges below bridges: enough for QEMU */

static struct {
    uint8_t seen[256 / 8]; /* buses scanned, against bridge loops */
} pci;

static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void cfg_select(const struct pci_dev *d, unsigned off)
{
    outl(CFG_ADDR, 0x80000000u | (uint32_t)d->bus << 16 |
                       (uint32_t)d->slot << 11 | (uint32_t)d->fn << 8 |
                       (off & 0xfc));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
    cfg_select(d, off);
    return inb(CFG_DATA + (off & 3));
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
    cfg_select(d, off);
    return inw(CFG_DATA + (off & 2));
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
    cfg_select(d, off);
    return inl(CFG_DATA);
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
    cfg_select(d, off);
    outw(CFG_DATA + (off & 2), v);
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
    cfg_select(d, off);
    outl(CFG_DATA, v);
}

const char *pci_name(const struct pci_dev *d, char *buf, size_t size)
{
    snprintf(buf, size, "%02x:%02x.%x", d->bus, d->slot, d->fn);
    return buf;
}

/* Nothing answers as all ones; no vendor is 0 either. */
static bool vendor_ok(uint16_t vendor)
{
    return vendor != 0xffff && vendor != 0;
}

static void scan_bus(unsigned bus, int depth,
                     void (*fn)(const struct pci_dev *, void *), void *arg);

/* A bridge's secondary bus, scanned once, only below its own bus. */
static void scan_bridge(const struct pci_dev *d, int depth,
                        void (*fn)(const struct pci_dev *, void *), void *arg)
{
    unsigned sec = pci_read8(d, PCI_SECONDARY_BUS);
    if (sec <= d->bus || depth >= BUS_DEPTH_MAX)
        return;
    scan_bus(sec, depth + 1, fn, arg);
}

static void scan_fn(struct pci_dev *d, int depth,
                    void (*fn)(const struct pci_dev *, void *), void *arg)
{
    d->device = pci_read16(d, PCI_DEVICE);
    d->class = pci_read8(d, PCI_CLASS);
    d->subclass = pci_read8(d, PCI_SUBCLASS);
    d->header_type = pci_read8(d, PCI_HEADER) & 0x7f;
    fn(d, arg);
    if (d->header_type == 1 && d->class == 0x06 && d->subclass == 0x04)
        scan_bridge(d, depth, fn, arg);
}

static void scan_slot(unsigned bus, unsigned slot, int depth,
                      void (*fn)(const struct pci_dev *, void *), void *arg)
{
    struct pci_dev f0 = {.bus = bus, .slot = slot};
    if (!vendor_ok(pci_read16(&f0, PCI_VENDOR)))
        return;
    unsigned nfn = pci_read8(&f0, PCI_HEADER) & 0x80 ? 8 : 1;
    for (unsigned f = 0; f < nfn; f++) {
        struct pci_dev d = {.bus = bus, .slot = slot, .fn = f};
        d.vendor = pci_read16(&d, PCI_VENDOR);
        if (vendor_ok(d.vendor))
            scan_fn(&d, depth, fn, arg);
    }
}

static void scan_bus(unsigned bus, int depth,
                     void (*fn)(const struct pci_dev *, void *), void *arg)
{
    if (pci.seen[bus / 8] & (1u << (bus % 8)))
        return;
    pci.seen[bus / 8] |= 1u << (bus % 8);
    for (unsigned slot = 0; slot < 32; slot++)
        scan_slot(bus, slot, depth, fn, arg);
}

bool pci_present(void)
{
    struct pci_dev host = {0};
    return vendor_ok(pci_read16(&host, PCI_VENDOR));
}

void pci_scan(void (*fn)(const struct pci_dev *d, void *arg), void *arg)
{
    if (!pci_present())
        return; /* no configuration space: no PCI bus (microvm) */
    memset(pci.seen, 0, sizeof(pci.seen));
    scan_bus(0, 0, fn, arg);
}

int pci_caps(const struct pci_dev *d, uint8_t id, uint8_t *out, int max)
{
    int n = 0;
    if (!(pci_read16(d, PCI_STATUS) & STATUS_CAPS))
        return 0;
    unsigned p = pci_read8(d, PCI_CAP_PTR) & 0xfc;
    for (int hops = 0; p >= 0x40 && hops < PCI_CAPS_MAX; hops++) {
        if (pci_read8(d, p) == id && n < max)
            out[n++] = (uint8_t)p;
        p = pci_read8(d, p + 1) & 0xfc;
    }
    return n;
}

/* Writes all ones and reads back which address bits stick (PCI 3.0
 * §6.2.5.1), with decoding off so the probe address is never live. */
static uint32_t bar_probe(const struct pci_dev *d, unsigned off)
{
    uint32_t orig = pci_read32(d, off);
    pci_write32(d, off, 0xffffffffu);
    uint32_t mask = pci_read32(d, off);
    pci_write32(d, off, orig);
    return mask;
}

static int bar_size(const struct pci_dev *d, int i, uint64_t *pa,
                    uint64_t *size)
{
    if (i < 0 || i > 5 || d->header_type != 0)
        return -ENODEV;
    unsigned off = PCI_BAR0 + 4 * i;
    uint32_t lo = pci_read32(d, off);
    bool is64 = ((lo >> 1) & 3) == 2;
    if ((lo & 1) || (is64 && i == 5))
        return -ENODEV;
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    pci_write16(d, PCI_COMMAND, cmd & ~CMD_MEMORY);
    uint64_t mask = bar_probe(d, off) & ~0xfULL;
    uint64_t base = lo & ~0xfULL;
    if (is64) {
        mask |= (uint64_t)bar_probe(d, off + 4) << 32;
        base |= (uint64_t)pci_read32(d, off + 4) << 32;
    } else if (mask) {
        mask |= 0xffffffff00000000ULL;
    }
    pci_write16(d, PCI_COMMAND, cmd);
    uint64_t sz = ~mask + 1;
    if (mask == 0 || (sz & (sz - 1)) || base == 0 || (base & (sz - 1)) ||
        base >= cpu_phys_limit() || sz > cpu_phys_limit() - base)
        return -ENODEV; /* unimplemented, nonsense, or unassigned */
    *pa = base;
    *size = sz;
    return 0;
}

int pci_bar(struct pci_dev *d, int i, uint64_t *pa, uint64_t *size)
{
    if (i < 0 || i > 5)
        return -ENODEV;
    struct pci_bar *b = &d->bar[i];
    if (b->state == 0)
        b->state = bar_size(d, i, &b->pa, &b->size) == 0 ? 1 : -1;
    *pa = b->pa;
    *size = b->size;
    return b->state == 1 ? 0 : -ENODEV;
}

void *pci_bar_map(struct pci_dev *d, int i, uint64_t off, uint64_t len)
{
    uint64_t pa, size;
    char name[16];
    if (pci_bar(d, i, &pa, &size) != 0) {
        kprintf("gorump: pci %s: BAR %d is not a usable memory BAR\n",
                pci_name(d, name, sizeof(name)), i);
        return NULL;
    }
    if (len == 0 || off > size || len > size - off) {
        kprintf("gorump: pci %s: [0x%lx, +0x%lx) lies outside BAR %d "
                "(0x%lx bytes)\n",
                pci_name(d, name, sizeof(name)), off, len, i, size);
        return NULL;
    }
    return mmio_map(pa + off, len);
}

void pci_enable(const struct pci_dev *d)
{
    uint16_t cmd = pci_read16(d, PCI_COMMAND);
    pci_write16(d, PCI_COMMAND, cmd | CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF);
}

/* PCI 3.0 §6.8.2: the table entry is address low, address high, data and
 * vector control (bit 0 masks).  Entries are programmed with the whole
 * function masked, then the mask is lifted. */
int pci_msix_enable(struct pci_dev *d, uint8_t vector,
                    volatile uint32_t **entry)
{
    uint8_t cap;
    if (pci_caps(d, PCI_CAP_MSIX, &cap, 1) != 1)
        return -ENODEV;
    uint16_t ctrl = pci_read16(d, cap + MSIX_CTRL);
    uint32_t table = pci_read32(d, cap + MSIX_TABLE);
    volatile uint32_t *e = pci_bar_map(d, table & 7, table & ~7u, 16);
    if (!e)
        return -ENODEV;
    pci_write16(d, cap + MSIX_CTRL, ctrl | MSIX_ENABLE | MSIX_MASKALL);
    e[0] = irq_msi_address();
    e[1] = 0;
    e[2] = vector;
    e[3] = 0;
    pci_write16(d, cap + MSIX_CTRL, (ctrl | MSIX_ENABLE) & ~MSIX_MASKALL);
    *entry = e;
    return 0;
}

void pci_msix_mask(volatile uint32_t *entry)
{
    if (entry)
        entry[3] |= 1;
}
