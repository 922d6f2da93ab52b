/*
 * drv/virtio_mmio.c — the virtio-mmio transport, version 2 (virtio 1.1
 * §4.2), for devices the kernel command line names as Linux's
 * virtio_mmio.device=SIZE@BASE:IRQ[:ID] (SIZE with an optional K, M or G
 * suffix; numbers decimal or 0x hex).  QEMU's microvm appends one such
 * word per device (with acpi=off), e.g. virtio_mmio.device=512@0xfeb00e00:12.
 * The command line is only text: a word that does not parse, a window
 * that makes no sense, or one named twice is skipped with a message.
 *
 * IRQ is a GSI of the I/O APIC (ioapic.c).  QEMU 7.2's virtio-mmio
 * transport is legacy (version 1) unless started with
 * -global virtio-mmio.force-legacy=false; legacy devices are refused.
 */
#include "arch/x86_64/arch.h"
#include "drv/virtio.h"
#include "mm/mm.h"

#define MMIO_KEY "virtio_mmio.device="
#define MMIO_MAX 16
#define MMIO_MAGIC 0x74726976 /* "virt" */
#define MMIO_SIZE_MIN 0x100   /* the registers; configuration follows */
#define MMIO_SIZE_MAX 0x10000

/* §4.2.2 MMIO Device Register Layout */
#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0
#define R_CONFIG_GENERATION 0x0fc
#define R_CONFIG 0x100

struct mmio_spec {
    uint64_t base, size;
    unsigned irq;
};

struct mmio_dev {
    struct virtio_dev vd;
    volatile uint8_t *regs;
    uint64_t size;
    unsigned gsi;
};

#define MMIO(d) container_of(d, struct mmio_dev, vd)

/* --- the command line */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* A decimal or 0x-hex number of at most 64 bits; NULL if none. */
static const char *parse_num(const char *s, const char *end, uint64_t *v)
{
    unsigned base = 10;
    if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    const char *start = s;
    uint64_t n = 0;
    for (; s < end; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (*s | 0x20) - 'a' + 10;
        else
            break;
        if (n > (UINT64_MAX - d) / base)
            return NULL;
        n = n * base + d;
    }
    *v = n;
    return s > start ? s : NULL;
}

static const char *parse_size(const char *s, const char *end, uint64_t *v)
{
    s = parse_num(s, end, v);
    if (!s || s == end)
        return s;
    unsigned shift = 0;
    switch (*s | 0x20) {
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    default:
        return s;
    }
    if (*v > (UINT64_MAX >> shift))
        return NULL;
    *v <<= shift;
    return s + 1;
}

/* SIZE@BASE:IRQ[:ID], the whole of [s, end). */
static bool parse_spec(const char *s, const char *end, struct mmio_spec *m)
{
    uint64_t irq, id;
    s = parse_size(s, end, &m->size);
    if (!s || s == end || *s++ != '@')
        return false;
    s = parse_num(s, end, &m->base);
    if (!s || s == end || *s++ != ':')
        return false;
    s = parse_num(s, end, &irq);
    if (!s || irq > 255)
        return false;
    m->irq = (unsigned)irq;
    if (s < end && *s == ':')
        s = parse_num(s + 1, end, &id); /* Linux's device id: unused */
    return s == end;
}

/* Why the window m cannot be used next to the n already taken, or NULL. */
static const char *spec_problem(const struct mmio_spec *m,
                                const struct mmio_spec *taken, int n)
{
    if (m->size < MMIO_SIZE_MIN || m->size > MMIO_SIZE_MAX)
        return "size out of range";
    if (m->base & 3)
        return "base not 4-byte aligned";
    uint64_t limit = cpu_phys_limit();
    if (m->base >= limit || m->size > limit - m->base)
        return "window beyond the physical address space";
    for (int i = 0; i < n; i++)
        if (m->base < taken[i].base + taken[i].size &&
            taken[i].base < m->base + m->size)
            return "overlaps an earlier device";
    if (n == MMIO_MAX)
        return "too many devices";
    return NULL;
}

/* Collects the usable virtio_mmio.device words into specs. */
static int mmio_parse(const char *cmdline, struct mmio_spec *specs)
{
    int n = 0;
    size_t klen = strlen(MMIO_KEY);
    for (const char *p = cmdline; *p;) {
        while (is_space(*p))
            p++;
        const char *w = p;
        while (*p && !is_space(*p))
            p++;
        if ((size_t)(p - w) < klen || strncmp(w, MMIO_KEY, klen))
            continue;
        struct mmio_spec m;
        const char *why = parse_spec(w + klen, p, &m)
                              ? spec_problem(&m, specs, n)
                              : "malformed (want SIZE@BASE:IRQ)";
        if (why)
            kprintf("gorump: virtio-mmio: ignoring '%.*s': %s\n",
                    (int)MIN(p - w, 80), w, why);
        else
            specs[n++] = m;
    }
    return n;
}

/* --- registers */

static uint32_t rd(struct mmio_dev *m, unsigned reg)
{
    return *(volatile uint32_t *)(m->regs + reg);
}

static void wr(struct mmio_dev *m, unsigned reg, uint32_t v)
{
    *(volatile uint32_t *)(m->regs + reg) = v;
}

static void wr64(struct mmio_dev *m, unsigned reg, uint64_t v)
{
    wr(m, reg, (uint32_t)v);
    wr(m, reg + 4, (uint32_t)(v >> 32));
}

static uint8_t mmio_get_status(struct virtio_dev *d)
{
    return (uint8_t)rd(MMIO(d), R_STATUS);
}

static void mmio_set_status(struct virtio_dev *d, uint8_t status)
{
    wr(MMIO(d), R_STATUS, status);
}

static uint64_t mmio_get_features(struct virtio_dev *d)
{
    struct mmio_dev *m = MMIO(d);
    wr(m, R_DEVICE_FEATURES_SEL, 0);
    uint64_t lo = rd(m, R_DEVICE_FEATURES);
    wr(m, R_DEVICE_FEATURES_SEL, 1);
    return lo | (uint64_t)rd(m, R_DEVICE_FEATURES) << 32;
}

static void mmio_set_features(struct virtio_dev *d, uint64_t features)
{
    struct mmio_dev *m = MMIO(d);
    wr(m, R_DRIVER_FEATURES_SEL, 0);
    wr(m, R_DRIVER_FEATURES, (uint32_t)features);
    wr(m, R_DRIVER_FEATURES_SEL, 1);
    wr(m, R_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static uint32_t mmio_config_generation(struct virtio_dev *d)
{
    return rd(MMIO(d), R_CONFIG_GENERATION);
}

/* §4.2.2.2: configuration fields are read at their natural width. */
static uint32_t mmio_config_read(struct virtio_dev *d, unsigned off, unsigned n)
{
    struct mmio_dev *m = MMIO(d);
    if (off % n || R_CONFIG + off + n > m->size)
        return 0;
    volatile uint8_t *p = m->regs + R_CONFIG + off;
    if (n == 1)
        return *p;
    if (n == 2)
        return *(volatile uint16_t *)p;
    return *(volatile uint32_t *)p;
}

static uint32_t mmio_queue_max(struct virtio_dev *d, uint16_t index)
{
    struct mmio_dev *m = MMIO(d);
    wr(m, R_QUEUE_SEL, index);
    if (rd(m, R_QUEUE_READY) != 0)
        return 0; /* §4.2.3.2: must be unused; reset makes it so */
    return rd(m, R_QUEUE_NUM_MAX);
}

static int mmio_queue_enable(struct virtio_dev *d, struct virtq *vq)
{
    struct mmio_dev *m = MMIO(d);
    wr(m, R_QUEUE_SEL, vq->index);
    wr(m, R_QUEUE_NUM, vq->size);
    wr64(m, R_QUEUE_DESC, vq->desc_pa);
    wr64(m, R_QUEUE_DRIVER, vq->avail_pa);
    wr64(m, R_QUEUE_DEVICE, vq->used_pa);
    wr(m, R_QUEUE_READY, 1);
    if (rd(m, R_QUEUE_READY) != 1) {
        kprintf("gorump: %s: queue %u does not become ready\n", d->where,
                vq->index);
        return -EIO;
    }
    return 0;
}

static void mmio_notify(struct virtio_dev *d, struct virtq *vq)
{
    wr(MMIO(d), R_QUEUE_NOTIFY, vq->index);
}

static int mmio_irq_enable(struct virtio_dev *d, uint8_t vector)
{
    struct mmio_dev *m = MMIO(d);
    int err = ioapic_route(m->gsi, vector);
    if (err) {
        kprintf("gorump: %s: cannot route irq %u (%s)\n", d->where, m->gsi,
                err == -EBUSY    ? "in use by another device"
                : err == -EINVAL ? "no such I/O APIC pin"
                                 : "no I/O APIC");
        return err;
    }
    ioapic_unmask(m->gsi);
    return 0;
}

/* §4.2.3.4: acknowledged before the rings are looked at, so whatever the
 * device adds afterwards raises the line again. */
static uint32_t mmio_irq_ack(struct virtio_dev *d)
{
    struct mmio_dev *m = MMIO(d);
    uint32_t isr = rd(m, R_INTERRUPT_STATUS);
    wr(m, R_INTERRUPT_ACK, isr);
    return isr & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG);
}

static void mmio_irq_mask(struct virtio_dev *d)
{
    ioapic_mask(MMIO(d)->gsi);
}

static const struct virtio_ops mmio_ops = {
    .get_status = mmio_get_status,
    .set_status = mmio_set_status,
    .get_features = mmio_get_features,
    .set_features = mmio_set_features,
    .config_generation = mmio_config_generation,
    .config_read = mmio_config_read,
    .queue_max = mmio_queue_max,
    .queue_enable = mmio_queue_enable,
    .notify = mmio_notify,
    .irq_enable = mmio_irq_enable,
    .irq_ack = mmio_irq_ack,
    .irq_mask = mmio_irq_mask,
};

/* --- probing */

/* The device's type, or 0 (with a message) when it cannot be driven. */
static uint32_t mmio_identify(struct mmio_dev *m)
{
    uint32_t magic = rd(m, R_MAGIC), version = rd(m, R_VERSION);
    if (magic != MMIO_MAGIC) {
        kprintf("gorump: %s: no virtio device (magic %x)\n", m->vd.where,
                magic);
        return 0;
    }
    if (version == 1) {
        kprintf("gorump: %s: legacy virtio-mmio device, not supported "
                "(QEMU: -global virtio-mmio.force-legacy=false)\n",
                m->vd.where);
        return 0;
    }
    if (version != 2) {
        kprintf("gorump: %s: unknown virtio-mmio version %u\n", m->vd.where,
                version);
        return 0;
    }
    return rd(m, R_DEVICE_ID); /* 0: an empty transport */
}

static void mmio_probe_one(const struct mmio_spec *s, uint16_t type,
                           virtio_found_fn found)
{
    struct mmio_dev *m = kzalloc(sizeof(*m));
    if (!m)
        return;
    m->vd.ops = &mmio_ops;
    snprintf(m->vd.where, sizeof(m->vd.where), "virtio-mmio@0x%lx", s->base);
    m->regs = mmio_map(s->base, s->size);
    m->size = s->size;
    m->gsi = s->irq;
    m->vd.type = type;
    if (mmio_identify(m) != type || !found(&m->vd))
        kfree(m);
}

void virtio_mmio_probe(const char *cmdline, uint16_t type,
                       virtio_found_fn found)
{
    struct mmio_spec specs[MMIO_MAX];
    int n = mmio_parse(cmdline, specs);
    for (int i = 0; i < n; i++)
        mmio_probe_one(&specs[i], type, found);
}
