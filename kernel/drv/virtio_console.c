/*
 * drv/virtio_console.c — the console's fast path: port 1 of a
 * virtio-console device (virtio 1.1 §5.3), over either transport,
 * carrying the same framed byte stream as the serial port
 * (include/gorump/console.h) at one notification per buffer instead of
 * one port write per byte.
 *
 * Features: VERSION_1 and MULTIPORT, both required.  The stream goes
 * to port 1 (QEMU's virtserialport nr=1), whose transmit queue is queue
 * 5 (§5.3.2: port n > 0 has queues 2n+2 and 2n+3).  Not port 0: QEMU
 * drops what a console port (virtconsole) cannot write at once, where
 * an ordinary port holds the buffer until the host takes it, and a slow
 * reader must slow the program down, never lose its output.  No control
 * messages are exchanged: the tool set the port up and QEMU sends what
 * it is given on an existing port (§5.3.6.2's handshake only tells the
 * host the port is open, which nothing here reads).  Output only: the
 * host's records and stdin keep coming through the serial port.
 *
 * Buffers: VCON_SLOTS slots of VCON_SLOT bytes in one physically
 * contiguous block; slot i is descriptor i.  Bytes fill the current slot,
 * which is handed to the device when full or at vcon_flush.  The device
 * gives a slot back once the host has taken its bytes, so a host that
 * reads slowly holds the writer back and nothing is dropped.  The
 * transmit queue asks for no interrupt except while a writer waits for
 * room: vcon_reserve says -EAGAIN, the writer sleeps in the layer above
 * (fs/dev.c), and the interrupt that brings slots back calls the notify
 * function that layer registered.
 */
#include "arch/x86_64/arch.h"
#include "drv/drv.h"
#include "drv/virtio.h"
#include "mm/mm.h"

#define VCON_SLOT_ORDER 2 /* 16 KiB a slot */
#define VCON_SLOT (PAGE_SIZE << VCON_SLOT_ORDER)
#define VCON_SLOTS 4
#define VCON_ORDER (VCON_SLOT_ORDER + 2) /* all the slots */
_Static_assert(VCON_SLOT *VCON_SLOTS == (PAGE_SIZE << VCON_ORDER), "4 slots");
#define VIRTIO_CONSOLE_F_MULTIPORT (1ULL << 1)
#define TXQ 5 /* port 1's transmit queue */
/* vcon_drain (the exit or a panic) waits this long for the host to take
 * what the port holds before giving the port up, so a device that stops
 * answering cannot hang the machine's end.  Writers otherwise wait as
 * long as the host takes, as they would for the serial port. */
#define SPIN_LIMIT_NS (10ULL * 1000000000)

static struct {
    struct virtio_dev *vdev;
    struct virtq tx;
    uint8_t *buf; /* VCON_SLOTS × VCON_SLOT, direct map */
    uint64_t buf_pa;
    uint16_t free[VCON_SLOTS]; /* idle slots */
    uint16_t nfree;
    int cur;        /* slot being filled, or -1 */
    size_t cur_len; /* bytes in it */
    uint8_t vector;
    bool up, broken;
    bool waiting;              /* a writer waits for room: interrupts on */
    void (*room_notify)(void); /* tells it slots came back */
} vc = {.cur = -1};

static void vcon_give_up(const char *why)
{
    if (vc.broken)
        return;
    vc.broken = true;
    vc.up = false;
    virtio_fail(vc.vdev);
    console_port_lost(why); /* back to the serial port */
}

static void reclaim(void)
{
    uint16_t id;
    uint32_t len;
    int r;
    while ((r = virtq_get_used(&vc.tx, &id, &len)) > 0)
        vc.free[vc.nfree++] = id;
    if (r < 0)
        vcon_give_up("the transmit queue broke");
}

static void vcon_irq(struct trapframe *tf)
{
    (void)tf;
    if (!vc.vdev || vc.broken)
        return;
    vc.vdev->ops->irq_ack(vc.vdev);
    reclaim();
    if ((vc.nfree || !vc.up) && vc.waiting) {
        vc.waiting = false;
        virtq_no_interrupt(&vc.tx, true);
        if (vc.room_notify)
            vc.room_notify();
    }
}

/* Hands the slot being filled to the device. */
static void submit(void)
{
    if (vc.cur < 0 || vc.cur_len == 0)
        return;
    uint16_t id = (uint16_t)vc.cur;
    virtq_add(&vc.tx, id, vc.buf_pa + (uint64_t)id * VCON_SLOT,
              (uint32_t)vc.cur_len, 0);
    virtio_kick(vc.vdev, &vc.tx);
    vc.cur = -1;
    vc.cur_len = 0;
}

/* Bytes that fit without waiting. */
static size_t room_now(void)
{
    size_t in_cur = vc.cur >= 0 ? VCON_SLOT - vc.cur_len : 0;
    return in_cur + (size_t)vc.nfree * VCON_SLOT;
}

/* Waits, spinning, until n bytes fit (the caller may not sleep: a
 * kernel message, the exit record). */
static void spin_for_room(size_t n)
{
    while (vc.up && room_now() < n) {
        reclaim();
        __builtin_ia32_pause();
    }
}

bool vcon_up(void)
{
    return vc.up;
}

int vcon_reserve(size_t n)
{
    n = MIN(n, (size_t)VCON_SLOTS * VCON_SLOT); /* all there is */
    if (!vc.up || room_now() >= n)
        return 0;
    submit(); /* what waits in a partly filled slot goes first */
    reclaim();
    if (!vc.up || room_now() >= n)
        return 0;
    vc.waiting = true;
    virtq_no_interrupt(&vc.tx, false);
    reclaim(); /* what came back before the hint was seen */
    if (!vc.up || room_now() >= n)
        return 0;
    return -EAGAIN;
}

void vcon_room_notify(void (*fn)(void))
{
    vc.room_notify = fn;
}

void vcon_put(const void *p, size_t n)
{
    const uint8_t *s = p;
    while (vc.up && n > 0) {
        if (vc.cur < 0) {
            if (vc.nfree == 0)
                reclaim();
            if (vc.nfree == 0)
                spin_for_room(VCON_SLOT);
            if (!vc.up)
                return; /* the caller's console.c goes on on the serial port */
            vc.cur = vc.free[--vc.nfree];
            vc.cur_len = 0;
        }
        size_t k = MIN(n, VCON_SLOT - vc.cur_len);
        memcpy(vc.buf + (size_t)vc.cur * VCON_SLOT + vc.cur_len, s, k);
        vc.cur_len += k;
        s += k;
        n -= k;
        if (vc.cur_len == VCON_SLOT)
            submit();
    }
}

void vcon_flush(void)
{
    if (vc.up)
        submit();
}

bool vcon_drain(void)
{
    vcon_flush();
    uint64_t t0 = clock_mono_ns();
    while (vc.up && vc.tx.in_flight > 0) {
        reclaim();
        if (vc.tx.in_flight == 0)
            break;
        if (clock_mono_ns() - t0 > SPIN_LIMIT_NS)
            vcon_give_up("the host took no output for 10 s");
        __builtin_ia32_pause();
    }
    return vc.up;
}

/* §3.1.1 and §5.3.5, in order. */
static int vcon_init(struct virtio_dev *d)
{
    uint64_t f = VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_MULTIPORT;
    int err = virtio_start(d, f, f);
    if (err)
        return err;
    /* The vector first: virtio-pci gives it to each queue it enables. */
    int vec = irq_vector_alloc();
    if (vec < 0)
        return vec;
    vc.vector = (uint8_t)vec;
    irq_register(vc.vector, vcon_irq);
    err = d->ops->irq_enable(d, vc.vector);
    if (!err)
        err = virtio_queue_init(d, &vc.tx, "virtio-console", TXQ, VCON_SLOTS);
    if (err)
        return err;
    vc.buf_pa = pmem_alloc(VCON_ORDER);
    if (!vc.buf_pa)
        return -ENOMEM;
    vc.buf = phys_to_virt(vc.buf_pa);
    for (uint16_t i = 0; i < vc.tx.size && i < VCON_SLOTS; i++)
        vc.free[vc.nfree++] = i;
    virtq_no_interrupt(&vc.tx, true);
    virtio_driver_ok(d);
    return 0;
}

static bool vcon_attach(struct virtio_dev *d)
{
    if (vc.vdev)
        return false; /* the first one is the console */
    vc.vdev = d;
    int err = vcon_init(d);
    if (err) {
        kprintf("gorump: %s: virtio-console not started (%d); output "
                "stays on the serial port\n",
                d->where, err);
        virtio_fail(d);
        virtq_free(&vc.tx);
        vc.vdev = NULL;
        return false;
    }
    vc.up = true;
    return true;
}

void vcon_probe(const char *cmdline)
{
    if (cmdline_has("gorump.serial"))
        return; /* asked to keep everything on the serial port */
    virtio_mmio_probe(cmdline, VIRTIO_ID_CONSOLE, vcon_attach);
    if (!vc.vdev)
        virtio_pci_probe(VIRTIO_ID_CONSOLE, vcon_attach);
}
