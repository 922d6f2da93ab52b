/*
 * main.c — the boot order, top to bottom.  boot.S enters kmain() in long
 * mode with the physical address of the PVH start info; by the time
 * kmain() falls into the idle loop, the program's main thread is runnable.
 */
#include "arch/x86_64/arch.h"
#include "drv/blkdev.h"
#include "drv/drv.h"
#include "drv/netdev.h"
#include "drv/pci.h"
#include "drv/v9p.h"
#include "fs/mount.h"
#include "fs/ext2/ext2_blkdev.h"
#include "fs/fs.h"
#include "gorump/console.h"
#include "gorump/image.h"
#include "mm/mm.h"
#include "net/net.h"
#include "proc/proc.h"

#define PVH_MAGIC 0x336ec578
#define MAX_RANGES 32

struct hvm_start_info {
    uint32_t magic, version, flags, nr_modules;
    uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
    uint32_t memmap_entries, reserved;
};

struct hvm_modlist_entry {
    uint64_t paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
    uint64_t addr, size;
    uint32_t type, reserved;
};

extern char __kernel_end[];

static struct {
    char cmdline[1024];
    struct mem_range ram[MAX_RANGES];
    int nram;
    struct mem_range image; /* the PVH module: the gorump image */
    uint8_t rsdp[36];       /* ACPI's RSDP, when the boot protocol gave it */
    bool have_rsdp;
} boot;

const char *cmdline_get(void)
{
    return boot.cmdline;
}

bool cmdline_has(const char *word)
{
    size_t n = strlen(word);
    for (const char *p = boot.cmdline; *p;) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, word, n) && (p[n] == ' ' || p[n] == '\0'))
            return true;
        while (*p && *p != ' ')
            p++;
    }
    return false;
}

const char *cmdline_value(const char *key)
{
    const char *c = boot.cmdline;
    size_t n = strlen(key);
    for (const char *p = c; *p; p++)
        if ((p == c || p[-1] == ' ') && !strncmp(p, key, n))
            return p + n;
    return NULL;
}

/* At most this many steps are timed; later marks are dropped. */
#define BOOT_MARKS 24

static struct {
    const char *step[BOOT_MARKS];
    uint64_t tsc[BOOT_MARKS];
    int n;
} marks;

void boot_mark(const char *step)
{
    if (marks.n < BOOT_MARKS) {
        marks.step[marks.n] = step;
        marks.tsc[marks.n++] = rdtsc();
    }
}

/* Raw TSC values until now: the rate is known only after clock_init. */
void boot_marks_print(void)
{
    uint64_t prev = boot_tsc;
    kprintf("gorump: stats: boot-us");
    for (int i = 0; i < marks.n; i++) {
        kprintf(" %s=%lu", marks.step[i],
                clock_tsc_to_ns(marks.tsc[i] - prev) / 1000);
        prev = marks.tsc[i];
    }
    kprintf("\n");
}

static __noreturn void no_image(void)
{
    kprintf("gorump: no image given (boot with -initrd IMAGE, as "
            "'gorump run' does)\n");
    kernel_stop(GORUMP_STATUS_BADIMAGE);
}

static void set_cmdline(const char *c)
{
    size_t n = strnlen(c, sizeof(boot.cmdline) - 1);
    memcpy(boot.cmdline, c, n);
}

/* Multiboot2 §3.6 boot information: tags, 8-byte aligned, after an
 * 8-byte header (total size, reserved), ending with a tag of type 0.
 * The memory map's entries are laid out as PVH's (base, length, type). */
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

/* A copy of the RSDP (20 bytes, or 36 from ACPI 2.0), for smp_init. */
static void keep_rsdp(const void *p, size_t n)
{
    memcpy(boot.rsdp, p, MIN(n, sizeof(boot.rsdp)));
    boot.have_rsdp = true;
}

static void read_mb2_info(uint64_t pa)
{
    const uint8_t *p = phys_to_virt(pa), *end = p + *(const uint32_t *)p;
    bool have_image = false;
    for (p += 8; p + 8 <= end; p += ALIGN_UP(((const uint32_t *)p)[1], 8)) {
        const uint32_t *t = (const uint32_t *)p;
        if (t[0] == 0 || t[1] < 8 || p + t[1] > end)
            break;
        if (t[0] == MB2_TAG_CMDLINE && t[1] > 8)
            set_cmdline((const char *)(t + 2));
        if ((t[0] == MB2_TAG_ACPI_OLD || t[0] == MB2_TAG_ACPI_NEW) &&
            t[1] >= 28)
            keep_rsdp(t + 2, t[1] - 8);
        if (t[0] == MB2_TAG_MODULE && t[1] >= 16 && !have_image) {
            boot.image = (struct mem_range){t[2], t[3]};
            have_image = t[3] > t[2];
        }
        if (t[0] == MB2_TAG_MMAP && t[1] >= 16 && t[2] >= 24)
            for (uint32_t off = 16; off + 24 <= t[1] && boot.nram < MAX_RANGES;
                 off += t[2]) {
                const struct hvm_memmap_entry *e = (const void *)(p + off);
                if (e->type == 1 && e->size)
                    boot.ram[boot.nram++] =
                        (struct mem_range){e->addr, e->addr + e->size};
            }
    }
    if (!boot.nram)
        panic("the Multiboot2 information has no memory map");
    if (!have_image)
        no_image();
}

static void read_start_info(uint64_t pa)
{
    const struct hvm_start_info *si = phys_to_virt(pa);
    if (si->magic != PVH_MAGIC)
        panic("not booted through PVH (start info magic %x)", si->magic);
    if (si->cmdline_paddr)
        set_cmdline(phys_to_virt(si->cmdline_paddr));
    if (si->version < 1 || !si->memmap_entries)
        panic("the PVH start info has no memory map");
    const struct hvm_memmap_entry *mm = phys_to_virt(si->memmap_paddr);
    for (uint32_t i = 0; i < si->memmap_entries && boot.nram < MAX_RANGES; i++)
        if (mm[i].type == 1 && mm[i].size)
            boot.ram[boot.nram++] =
                (struct mem_range){mm[i].addr, mm[i].addr + mm[i].size};
    /* The boot tables map the first GiB, where monitors put it. */
    if (si->rsdp_paddr && si->rsdp_paddr < (1UL << 30) - sizeof(boot.rsdp))
        keep_rsdp(phys_to_virt(si->rsdp_paddr), sizeof(boot.rsdp));
    if (si->nr_modules < 1)
        no_image();
    const struct hvm_modlist_entry *mod = phys_to_virt(si->modlist_paddr);
    boot.image = (struct mem_range){mod->paddr, mod->paddr + mod->size};
}

static bool overlaps(struct mem_range a, uint64_t s, uint64_t e)
{
    return a.start < e && s < a.end;
}

static __noreturn void refuse(const char *what)
{
    kprintf("gorump: image: %s\n", what);
    kernel_stop(GORUMP_STATUS_BADIMAGE);
}

/* Is [s, e) usable RAM below 1 GiB (mapped by the boot tables)? */
static bool early_ok(uint64_t s, uint64_t e)
{
    if (e > (1UL << 30) || overlaps(boot.image, s, e))
        return false;
    for (int i = 0; i < boot.nram; i++)
        if (boot.ram[i].start <= s && e <= boot.ram[i].end)
            return true;
    return false;
}

static void memory_init(void)
{
    const uint64_t span = 128 << 12; /* room for the early page tables */
    uint64_t kend = ALIGN_UP(virt_to_phys(__kernel_end), PAGE_SIZE);
    uint64_t early = kend;
    if (!early_ok(early, early + span)) {
        early = ALIGN_UP(boot.image.end, PAGE_SIZE);
        if (!early_ok(early, early + span))
            refuse("guest memory is too small for this image (use a "
                   "larger -m)");
    }
    uint64_t early_end = pt_init(boot.ram, boot.nram, early);
    struct mem_range reserved[] = {
        {0x100000, kend},
        {SMP_TRAMP_PA, SMP_TRAMP_PA + PAGE_SIZE}, /* where APs start */
        {early, early_end},
        {ALIGN_DOWN(boot.image.start, PAGE_SIZE),
         ALIGN_UP(boot.image.end, PAGE_SIZE)},
    };
    pmem_init(boot.ram, boot.nram, reserved, ARRAY_SIZE(reserved));
    pt_pmem_ready();
}

/* The image's working directory; created if it does not exist. */
static void set_cwd(const char *path)
{
    struct node *dir;
    if (path_resolve(AT_FDCWD, path, true, &dir) != 0) {
        if (!node_mkdirs(path, strlen(path)) ||
            path_resolve(AT_FDCWD, path, true, &dir) != 0)
            refuse("the working directory cannot be created");
    }
    if (cwd_set(dir) != 0)
        refuse("the working directory is not a directory");
    node_put(dir);
}

/* A signal record from the host (the tool forwards its SIGINT, SIGTERM,
 * SIGHUP, SIGUSR1, SIGUSR2) goes to the program as kill(2) would send it;
 * SIGKILL and SIGSTOP are not the host's to send. */
static void host_signal(int sig)
{
    struct proc *p = proc_find(1);
    if (p && sig >= 1 && sig <= NSIG && sig != SIGKILL && sig != SIGSTOP)
        signal_send_process(p, sig, 0 /* SI_USER */);
}

void kmain(uint32_t start_info);
void kmain(uint32_t start_info)
{
    console_init();
    cpu_init();
    trap_init();
    if (boot_mb2)
        read_mb2_info(start_info);
    else
        read_start_info(start_info);
    boot_mark("early");
    memory_init();
    boot_mark("memory");
    apic_init();
    clock_init();
    boot_mark("clock");
    apic_calibrate();
    boot_mark("apic");
    smp_init(boot.have_rsdp ? boot.rsdp : NULL);
    /* Without PCI the APs come up while the devices are probed.  With
     * PCI they start after the last driver's configuration writes: sizing
     * a BAR or enabling a device changes QEMU's memory map, and QEMU 7.2
     * under multi-threaded TCG switches another running vCPU to the new
     * map before it flushes that vCPU's TLB, so the vCPU's next LAPIC
     * access can land in a device's region (QEMU then aborts in
     * msix_table_mmio_write or crashes).  docs/ARCHITECTURE.md, "When the
     * APs start". */
    if (!pci_present())
        smp_send_startup();
    boot_mark("smp");
    random_init();

    proc_init();
    sched_init();
    boot_mark("proc");

    /* A deliberate panic, so tests can check how one is reported. */
    if (cmdline_has("gorump.test-panic"))
        panic("requested on the command line (gorump.test-panic)");

    struct gorump_image img;
    /* The tool verified the checksum; see gorump_image_parse_unverified. */
    int err =
        gorump_image_parse_unverified(phys_to_virt(boot.image.start),
                                      boot.image.end - boot.image.start, &img);
    if (err)
        refuse(gorump_image_strerror(err));
    vcon_probe(cmdline_get());
    boot_mark("virtio-console");
    console_use_port();
    blkdev_probe(cmdline_get());
    boot_mark("blk");
    if (cmdline_has("gorump.ext2test"))
        ext2test_run();
    if (diskfile_init(&img))
        refuse("its disk of large files is missing");
    boot_mark("diskfile");
    vfs_init();
    int placed = vfs_load_image(&img);
    if (placed == -ENOMEM)
        refuse("its files need more memory than the guest has (use a "
               "larger -m)");
    if (placed < 0)
        refuse("malformed file records");
    procfs_init();
    dev_init();
    boot_mark("files");
    v9p_probe(cmdline_get());
    if (mount_cmdline(cmdline_get()))
        kernel_stop(GORUMP_STATUS_FAILURE);
    boot_mark("v9p-mounts");
    netdev_probe(cmdline_get());
    net_init();
    boot_mark("netdev");
    struct seq resolv = {0}, hosts = {0};
    net_configure(&resolv, &hosts);
    vfs_etc_defaults(resolv.buf ? resolv.buf : "", hosts.buf ? hosts.buf : "");
    kfree(resolv.buf);
    kfree(hosts.buf);
    boot_mark("netconf");
    /* The APs came up meanwhile, or start now (see smp_init above); the
     * program may use them. */
    smp_wait();
    boot_mark("smp-wait");
    set_cwd(img.cwd ? img.cwd : "/");
    console_signal_notify(host_signal);
    console_rx_init();
    if (exec_start(&img))
        refuse("the program cannot be started");
    boot_mark("exec");
    sched_idle_loop();
}
