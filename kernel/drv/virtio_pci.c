/*
 * drv/virtio_pci.c — the virtio-pci transport through its modern
 * interface (virtio 1.1 §4.1): vendor 0x1af4, device 0x1040 + type, or a
 * transitional 0x1000-0x103f device (type in its subsystem id, §4.1.2.1)
 * driven the modern way.  The vendor capabilities (§4.1.4) locate the
 * common configuration, the notification area and the device
 * configuration inside the BARs; each is checked against its BAR before
 * it is mapped.  Interrupts come by MSI-X entry 0, used by every queue;
 * configuration changes are not signalled (msix_config is NO_VECTOR), so
 * the ISR register is never needed (§4.1.4.5.1).
 */
#include "arch/x86_64/arch.h"
#include "drv/pci.h"
#include "drv/virtio.h"
#include "mm/mm.h"

#define VIRTIO_PCI_VENDOR 0x1af4
#define PCI_SUBSYSTEM_ID 0x2e

/* §4.1.4 cfg_type of a virtio vendor capability */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_DEVICE 4
#define CAP_TYPES 5

/* §4.1.4.3 struct virtio_pci_common_cfg */
#define C_DEVICE_FEATURE_SELECT 0x00
#define C_DEVICE_FEATURE 0x04
#define C_DRIVER_FEATURE_SELECT 0x08
#define C_DRIVER_FEATURE 0x0c
#define C_MSIX_CONFIG 0x10
#define C_NUM_QUEUES 0x12
#define C_DEVICE_STATUS 0x14
#define C_CONFIG_GENERATION 0x15
#define C_QUEUE_SELECT 0x16
#define C_QUEUE_SIZE 0x18
#define C_QUEUE_MSIX_VECTOR 0x1a
#define C_QUEUE_ENABLE 0x1c
#define C_QUEUE_NOTIFY_OFF 0x1e
#define C_QUEUE_DESC 0x20
#define C_QUEUE_DRIVER 0x28
#define C_QUEUE_DEVICE 0x30
#define COMMON_LEN 0x38

#define NO_VECTOR 0xffff
#define QUEUES_MAX 8
#define AREA_MAX 0x10000 /* the most of a notify or device area we map */

struct vcap {
    bool found;
    uint8_t bar;
    uint32_t off, len;
    uint32_t mult; /* notify_off_multiplier (CAP_NOTIFY only) */
};

struct pci_virtio {
    struct virtio_dev vd;
    struct pci_dev pdev;
    volatile uint8_t *common;
    volatile uint8_t *device;
    uint32_t device_len;
    volatile uint8_t *notify_base;
    uint32_t notify_len, notify_mult;
    volatile uint16_t *notify[QUEUES_MAX];
    volatile uint32_t *msix; /* MSI-X entry 0, once enabled */
};

#define PV(d) container_of(d, struct pci_virtio, vd)

/* --- the common configuration, at its fields' natural widths */

static uint8_t c_rd8(struct pci_virtio *v, unsigned off)
{
    return *(volatile uint8_t *)(v->common + off);
}

static uint16_t c_rd16(struct pci_virtio *v, unsigned off)
{
    return *(volatile uint16_t *)(v->common + off);
}

static uint32_t c_rd32(struct pci_virtio *v, unsigned off)
{
    return *(volatile uint32_t *)(v->common + off);
}

static void c_wr8(struct pci_virtio *v, unsigned off, uint8_t x)
{
    *(volatile uint8_t *)(v->common + off) = x;
}

static void c_wr16(struct pci_virtio *v, unsigned off, uint16_t x)
{
    *(volatile uint16_t *)(v->common + off) = x;
}

static void c_wr32(struct pci_virtio *v, unsigned off, uint32_t x)
{
    *(volatile uint32_t *)(v->common + off) = x;
}

/* §4.1.3.1: 64-bit fields as two 32-bit halves, low first. */
static void c_wr64(struct pci_virtio *v, unsigned off, uint64_t x)
{
    c_wr32(v, off, (uint32_t)x);
    c_wr32(v, off + 4, (uint32_t)(x >> 32));
}

static uint8_t pv_get_status(struct virtio_dev *d)
{
    return c_rd8(PV(d), C_DEVICE_STATUS);
}

static void pv_set_status(struct virtio_dev *d, uint8_t status)
{
    c_wr8(PV(d), C_DEVICE_STATUS, status);
}

static uint64_t pv_get_features(struct virtio_dev *d)
{
    struct pci_virtio *v = PV(d);
    c_wr32(v, C_DEVICE_FEATURE_SELECT, 0);
    uint64_t lo = c_rd32(v, C_DEVICE_FEATURE);
    c_wr32(v, C_DEVICE_FEATURE_SELECT, 1);
    return lo | (uint64_t)c_rd32(v, C_DEVICE_FEATURE) << 32;
}

static void pv_set_features(struct virtio_dev *d, uint64_t features)
{
    struct pci_virtio *v = PV(d);
    c_wr32(v, C_DRIVER_FEATURE_SELECT, 0);
    c_wr32(v, C_DRIVER_FEATURE, (uint32_t)features);
    c_wr32(v, C_DRIVER_FEATURE_SELECT, 1);
    c_wr32(v, C_DRIVER_FEATURE, (uint32_t)(features >> 32));
}

static uint32_t pv_config_generation(struct virtio_dev *d)
{
    return c_rd8(PV(d), C_CONFIG_GENERATION);
}

static uint32_t pv_config_read(struct virtio_dev *d, unsigned off, unsigned n)
{
    struct pci_virtio *v = PV(d);
    if (!v->device || off % n || off + n > v->device_len)
        return 0;
    volatile uint8_t *p = v->device + off;
    if (n == 1)
        return *p;
    if (n == 2)
        return *(volatile uint16_t *)p;
    return *(volatile uint32_t *)p;
}

static uint32_t pv_queue_max(struct virtio_dev *d, uint16_t index)
{
    struct pci_virtio *v = PV(d);
    if (index >= c_rd16(v, C_NUM_QUEUES) || index >= QUEUES_MAX)
        return 0;
    c_wr16(v, C_QUEUE_SELECT, index);
    return c_rd16(v, C_QUEUE_SIZE);
}

/* §4.1.4.4: the queue's doorbell is queue_notify_off multiplier-sized
 * steps into the notification area, which must hold it. */
static int pv_notify_addr(struct pci_virtio *v, struct virtq *vq)
{
    uint64_t off = (uint64_t)c_rd16(v, C_QUEUE_NOTIFY_OFF) * v->notify_mult;
    if (off + 2 > v->notify_len) {
        kprintf("gorump: %s: queue %u doorbell at 0x%lx lies outside the "
                "notification area (0x%x bytes)\n",
                v->vd.where, vq->index, off, v->notify_len);
        return -EIO;
    }
    v->notify[vq->index] = (volatile uint16_t *)(v->notify_base + off);
    return 0;
}

/* §4.1.5.1.3 (and §4.1.5.1.2 for the MSI-X vector). */
static int pv_queue_enable(struct virtio_dev *d, struct virtq *vq)
{
    struct pci_virtio *v = PV(d);
    c_wr16(v, C_QUEUE_SELECT, vq->index);
    c_wr16(v, C_QUEUE_SIZE, vq->size);
    if (v->msix) {
        c_wr16(v, C_QUEUE_MSIX_VECTOR, 0);
        if (c_rd16(v, C_QUEUE_MSIX_VECTOR) != 0) {
            kprintf("gorump: %s: queue %u refuses MSI-X vector 0\n", d->where,
                    vq->index);
            return -EIO;
        }
    }
    c_wr64(v, C_QUEUE_DESC, vq->desc_pa);
    c_wr64(v, C_QUEUE_DRIVER, vq->avail_pa);
    c_wr64(v, C_QUEUE_DEVICE, vq->used_pa);
    int err = pv_notify_addr(v, vq);
    if (err)
        return err;
    c_wr16(v, C_QUEUE_ENABLE, 1);
    return 0;
}

static void pv_notify(struct virtio_dev *d, struct virtq *vq)
{
    *PV(d)->notify[vq->index] = vq->index;
}

static int pv_irq_enable(struct virtio_dev *d, uint8_t vector)
{
    struct pci_virtio *v = PV(d);
    int err = pci_msix_enable(&v->pdev, vector, &v->msix);
    if (err) {
        kprintf("gorump: %s: no usable MSI-X capability\n", d->where);
        return err;
    }
    c_wr16(v, C_MSIX_CONFIG, NO_VECTOR);
    return 0;
}

/* With MSI-X the vector itself says "a queue" (§4.1.5.4). */
static uint32_t pv_irq_ack(struct virtio_dev *d)
{
    return VIRTIO_ISR_QUEUE;
}

static void pv_irq_mask(struct virtio_dev *d)
{
    pci_msix_mask(PV(d)->msix);
}

static const struct virtio_ops pci_ops = {
    .get_status = pv_get_status,
    .set_status = pv_set_status,
    .get_features = pv_get_features,
    .set_features = pv_set_features,
    .config_generation = pv_config_generation,
    .config_read = pv_config_read,
    .queue_max = pv_queue_max,
    .queue_enable = pv_queue_enable,
    .notify = pv_notify,
    .irq_enable = pv_irq_enable,
    .irq_ack = pv_irq_ack,
    .irq_mask = pv_irq_mask,
};

/* --- finding the structures */

/* §4.1.4: the first capability of each type that the driver understands
 * is the one to use. */
static void read_caps(const struct pci_dev *d, struct vcap caps[CAP_TYPES])
{
    uint8_t at[PCI_CAPS_MAX];
    int n = pci_caps(d, PCI_CAP_VENDOR, at, PCI_CAPS_MAX);
    for (int i = 0; i < n; i++) {
        unsigned len = pci_read8(d, at[i] + 2), type = pci_read8(d, at[i] + 3);
        unsigned bar = pci_read8(d, at[i] + 4);
        if (type >= CAP_TYPES || caps[type].found || bar > 5 || len < 16 ||
            (type == CAP_NOTIFY && len < 20))
            continue;
        caps[type] = (struct vcap){
            .found = true,
            .bar = bar,
            .off = pci_read32(d, at[i] + 8),
            .len = pci_read32(d, at[i] + 12),
            .mult = type == CAP_NOTIFY ? pci_read32(d, at[i] + 16) : 0,
        };
    }
}

static volatile uint8_t *map_cap(struct pci_virtio *v, const struct vcap *c,
                                 uint32_t len)
{
    return pci_bar_map(&v->pdev, c->bar, c->off, len);
}

static int pv_map(struct pci_virtio *v)
{
    struct vcap caps[CAP_TYPES] = {0};
    read_caps(&v->pdev, caps);
    if (!caps[CAP_COMMON].found || !caps[CAP_NOTIFY].found) {
        kprintf("gorump: %s: no modern virtio interface\n", v->vd.where);
        return -ENODEV;
    }
    if (caps[CAP_COMMON].len < COMMON_LEN) {
        kprintf("gorump: %s: common configuration too small\n", v->vd.where);
        return -ENODEV;
    }
    v->common = map_cap(v, &caps[CAP_COMMON], COMMON_LEN);
    v->notify_len = MIN(caps[CAP_NOTIFY].len, AREA_MAX);
    v->notify_mult = caps[CAP_NOTIFY].mult;
    v->notify_base = map_cap(v, &caps[CAP_NOTIFY], v->notify_len);
    if (caps[CAP_DEVICE].found && caps[CAP_DEVICE].len) {
        v->device_len = MIN(caps[CAP_DEVICE].len, AREA_MAX);
        v->device = map_cap(v, &caps[CAP_DEVICE], v->device_len);
    }
    if (!v->common || !v->notify_base)
        return -ENODEV;
    pci_enable(&v->pdev);
    return 0;
}

/* The virtio type of a function, or -1 if it is not a virtio device. */
static int virtio_type(const struct pci_dev *d)
{
    if (d->vendor != VIRTIO_PCI_VENDOR || d->header_type != 0)
        return -1;
    if (d->device >= 0x1040 && d->device <= 0x107f)
        return d->device - 0x1040;
    if (d->device >= 0x1000 && d->device <= 0x103f)
        return pci_read16(d, PCI_SUBSYSTEM_ID);
    return -1;
}

struct pci_probe {
    uint16_t type;
    virtio_found_fn found;
};

static void pv_probe_fn(const struct pci_dev *d, void *arg)
{
    struct pci_probe *pp = arg;
    char name[16];
    if (virtio_type(d) != pp->type)
        return;
    struct pci_virtio *v = kzalloc(sizeof(*v));
    if (!v)
        return;
    v->pdev = *d;
    v->vd.ops = &pci_ops;
    v->vd.type = pp->type;
    snprintf(v->vd.where, sizeof(v->vd.where), "virtio-pci %s",
             pci_name(d, name, sizeof(name)));
    if (pv_map(v) != 0 || !pp->found(&v->vd))
        kfree(v);
}

void virtio_pci_probe(uint16_t type, virtio_found_fn found)
{
    struct pci_probe pp = {type, found};
    pci_scan(pv_probe_fn, &pp);
}
