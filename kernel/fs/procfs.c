/*
 * fs/procfs.c — the /proc files programs read that are not a process's
 * (those are procfs_pid.c's: /proc/PID and /proc/self): /proc/cpuinfo,
 * meminfo, stat, diskstats, uptime, loadavg, version, mounts and a few
 * /proc/sys values.  Their text is generated when they are opened.  Also
 * the CPU lists of /sys/devices/system/cpu that libc reads (sysfs_cpus).
 */
#include "drv/blkdev.h"
#include "fs/mount.h"
#include "mm/mm.h"
#include "net/net.h"

void procfs_gen_mounts(struct seq *s)
{
    seq_printf(s, "rootfs / tmpfs rw 0 0\nproc /proc proc rw 0 0\n");
    mount_list(s);
}

/* The flags of what XSAVE brings, shown only when the kernel enabled it
 * (fpu.c), as Linux hides what it does not support; ecx is CPUID.1's. */
static void xsave_flags(struct seq *s, uint32_t ecx)
{
    uint64_t xf = fpu_xfeatures();
    uint32_t r[4] = {0};
    if (!xf)
        return;
    cpuid(0, 0, r);
    if (r[0] >= 7)
        cpuid(7, 0, r);
    else
        r[1] = 0;
    bool ymm = xf & 4, zmm = xf & 0xe0;
    seq_printf(s, " xsave%s%s%s", ecx & (1u << 28) && ymm ? " avx" : "",
               r[1] & (1u << 5) && ymm ? " avx2" : "",
               r[1] & (1u << 16) && zmm ? " avx512f" : "");
}

static void gen_cpuinfo(struct seq *s)
{
    uint32_t r[4], brand[12];
    char vendor[13];
    cpuid(0, 0, r);
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = '\0';
    for (unsigned i = 0; i < 3; i++)
        cpuid(0x80000002 + i, 0, brand + 4 * i);
    cpuid(1, 0, r);
    unsigned family = (r[0] >> 8) & 0xf, model = (r[0] >> 4) & 0xf;
    if (family == 0xf)
        family += (r[0] >> 20) & 0xff;
    if (family >= 6)
        model |= ((r[0] >> 16) & 0xf) << 4;
    /* One block per online CPU, each a core of one package. */
    unsigned n = smp_cpus_up();
    for (unsigned i = 0; i < smp_cpus_found(); i++) {
        struct cpu *c = smp_cpu(i);
        if (!c)
            continue;
        /* In pieces: seq_printf formats at most 255 bytes at a time. */
        seq_printf(s,
                   "processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\n"
                   "model\t\t: %u\nmodel name\t: %.48s\n",
                   c->id, vendor, family, model, (const char *)brand);
        seq_printf(s,
                   "cpu MHz\t\t: %lu.000\ncache size\t: 512 KB\n"
                   "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
                   "cpu cores\t: %u\napicid\t\t: %u\nfpu\t\t: yes\n",
                   clock_tsc_hz() / 1000000, n, c->id, n, c->apic_id);
        seq_printf(s, "flags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2%s%s%s%s%s",
                   r[2] & 1 ? " pni" : "", r[2] & (1 << 9) ? " ssse3" : "",
                   r[2] & (1 << 19) ? " sse4_1" : "",
                   r[2] & (1 << 20) ? " sse4_2" : "",
                   r[2] & (1 << 23) ? " popcnt" : "");
        xsave_flags(s, r[2]);
        seq_printf(s, "\nbogomips\t: %lu.00\n\n", clock_tsc_hz() / 500000);
    }
}

static uint64_t ticks(uint64_t ns)
{
    return ns / 10000000; /* USER_HZ = 100 */
}

/* proc(5): the time each CPU spent, in USER_HZ ticks, as user, nice,
 * system, idle, iowait, irq, softirq, steal, guest, guest_nice.  Threads'
 * time is not split between user and kernel: all of it is user time. */
static void stat_cpu(struct seq *s, const char *name, uint64_t busy,
                     uint64_t idle)
{
    seq_printf(s, "%s %lu 0 0 %lu 0 0 0 0 0 0\n", name, ticks(busy),
               ticks(idle));
}

static void gen_sys_stat(struct seq *s)
{
    uint64_t up = clock_mono_ns(), busy = 0, idle = 0;
    unsigned n = smp_cpus_found();
    for (unsigned i = 0; i < n; i++) {
        uint64_t b = MIN(sched_cpu_busy_ns(i), up);
        busy += b;
        idle += smp_cpu(i) ? up - b : 0;
    }
    stat_cpu(s, "cpu ", busy, idle);
    for (unsigned i = 0; i < n; i++) {
        uint64_t b = MIN(sched_cpu_busy_ns(i), up);
        char name[8];
        snprintf(name, sizeof(name), "cpu%u", i);
        if (smp_cpu(i))
            stat_cpu(s, name, b, up - b);
    }
    seq_printf(s,
               "intr 0\nctxt %lu\nbtime %lu\nprocesses %d\n"
               "procs_running %u\nprocs_blocked 0\nsoftirq 0\n",
               sched_switches(), (clock_real_ns() - up) / 1000000000,
               proc_nthreads(), sched_nr_running());
}

static void gen_meminfo(struct seq *s)
{
    uint64_t total = pmem_total_pages() * 4, free = pmem_free_pages() * 4;
    uint64_t shmem = node_pages_used() * 4;
    seq_printf(s,
               "MemTotal:       %8lu kB\nMemFree:        %8lu kB\n"
               "MemAvailable:   %8lu kB\nBuffers:               0 kB\n"
               "Cached:         %8lu kB\nSwapTotal:             0 kB\n"
               "SwapFree:              0 kB\nShmem:          %8lu kB\n"
               "Slab:           %8lu kB\n",
               total, free, free, shmem, shmem, kheap_pages() * 4);
}

/* One line per block device as Linux 6.1's diskstats_show prints it
 * (Documentation/admin-guide/iostats.rst): virtio-blk's major (254 where
 * nothing else took it first) and 16 minors a disk, SCSI disks on major
 * 8 with 16 minors each too, NVMe namespaces on the extended major 259
 * one minor each; nothing is merged, discarded or queued, a request
 * being answered before the next. */
static void gen_diskstats(struct seq *s)
{
    int nvme = 0, sd = 0;
    for (int i = 0; i < blkdev_count(); i++) {
        struct blkdev *b = blkdev_get(i);
        const struct blk_stats *st = &b->stats;
        uint64_t ms = (st->read_ns + st->write_ns + st->flush_ns) / 1000000;
        bool ext = !strncmp(b->name, "nvme", 4);
        bool scsi = !strncmp(b->name, "sd", 2);
        seq_printf(s, " %3d %7d %s %lu 0 %lu %lu %lu 0 %lu %lu 0 %lu %lu",
                   ext    ? 259
                   : scsi ? 8
                          : 254,
                   ext    ? nvme++
                   : scsi ? 16 * sd++
                          : i * 16,
                   b->name, st->reads, st->read_sectors, st->read_ns / 1000000,
                   st->writes, st->write_sectors, st->write_ns / 1000000, ms,
                   ms);
        seq_printf(s, " 0 0 0 0 %lu %lu\n", st->flushes,
                   st->flush_ns / 1000000);
    }
}

static void gen_uptime(struct seq *s)
{
    uint64_t ns = clock_mono_ns();
    seq_printf(s, "%lu.%02lu 0.00\n", ns / 1000000000,
               ns % 1000000000 / 10000000);
}

/* proc(5): the load averages, the threads running or queued / all of
 * them, and the last pid made. */
static void gen_loadavg(struct seq *s)
{
    uint64_t fp[3], l[3];
    sched_loadavg(fp);
    for (int i = 0; i < 3; i++)
        l[i] = (fp[i] * 100 + (1 << 15)) >> 16; /* hundredths */
    seq_printf(s, "%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n", l[0] / 100,
               l[0] % 100, l[1] / 100, l[1] % 100, l[2] / 100, l[2] % 100,
               sched_nr_running(), proc_nthreads(), proc_last_tid());
}

static void gen_version(struct seq *s)
{
    seq_printf(s, "Linux version 6.1.0-gorump (gorump unikernel)\n");
}

static void gen_hostname(struct seq *s)
{
    seq_printf(s, "gorump\n");
}

static void gen_somaxconn(struct seq *s)
{
    seq_printf(s, "4096\n");
}

/* Memory is committed when touched (mm/vm.c), Linux's mode 1. */
static void gen_overcommit(struct seq *s)
{
    seq_printf(s, "1\n");
}

static void gen_pipe_max_size(struct seq *s)
{
    seq_printf(s, "%d\n", PIPE_CAPACITY);
}

static void gen_inotify_queued(struct seq *s)
{
    seq_printf(s, "%u\n", inotify_limit(0));
}

static void gen_inotify_instances(struct seq *s)
{
    seq_printf(s, "%u\n", inotify_limit(1));
}

static void gen_inotify_watches(struct seq *s)
{
    seq_printf(s, "%u\n", inotify_limit(2));
}

static struct node *add(const char *path, uint32_t mode)
{
    struct node *n = node_new(mode);
    if (!n || node_place(path, strlen(path), n))
        panic("procfs: cannot create %s", path);
    node_put(n);
    return n;
}

static void add_gen(const char *path, void (*gen)(struct seq *))
{
    add(path, S_IFREG | 0444)->gen = gen;
}

/* /proc's nodes are not tmpfs's: no extended attributes on them. */
static void mark_pseudo(struct node *dir)
{
    dir->pseudo = true;
    list_for_each(l, &dir->children)
    {
        struct node *n = container_of(l, struct dirent, link)->node;
        n->pseudo = true;
        if (S_ISDIR(n->mode))
            mark_pseudo(n);
    }
}

/* /proc/gorump/failnet (mm/failinject.c): the PERCENT of lwIP's
 * allocations that fail, read and written as a decimal number. */
static long failnet_read(struct file *f, uint64_t ubuf, size_t n, uint64_t *pos)
{
    char buf[8];
    int len = snprintf(buf, sizeof(buf), "%u\n", failinject_percent(FAIL_NET));
    if (*pos >= (uint64_t)len)
        return 0;
    size_t c = MIN(n, (size_t)len - *pos);
    if (copy_to_user(ubuf, buf + *pos, c))
        return -EFAULT;
    *pos += c;
    return (long)c;
}

static long failnet_write(struct file *f, uint64_t ubuf, size_t n,
                          uint64_t *pos)
{
    char buf[8] = {0};
    if (n == 0 || n >= sizeof(buf))
        return -EINVAL;
    if (copy_from_user(buf, ubuf, n))
        return -EFAULT;
    unsigned v = 0, i = 0;
    for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
        v = v * 10 + (unsigned)(buf[i] - '0');
    if (i == 0 || v > 100 || (i < n && buf[i] != '\n'))
        return -EINVAL;
    failinject_set(FAIL_NET, v);
    return (long)n;
}

static void failnet_stat(struct file *f, struct linux_stat *st)
{
    node_stat(f->node, st);
}

static const struct file_ops failnet_ops = {
    .read = failnet_read,
    .write = failnet_write,
    .stat = failnet_stat,
};

/* A CPU list as sysfs writes it (Documentation/ABI/testing/
 * sysfs-devices-system-cpu): CPUs 0 to n-1. */
static void cpu_range(struct seq *s, unsigned n)
{
    if (n > 1)
        seq_printf(s, "0-%u\n", n - 1);
    else
        seq_printf(s, "0\n");
}

/* The CPUs threads run on (glibc's get_nprocs reads this), as
 * sched_getaffinity says. */
static void gen_cpu_online(struct seq *s)
{
    cpu_range(s, smp_cpus_up());
}

/* The CPUs running the kernel: the boot CPU and the APs that started. */
static void gen_cpu_present(struct seq *s)
{
    cpu_range(s, smp_cpus_up());
}

/* The CPUs the machine describes (ACPI MADT or MP table). */
static void gen_cpu_possible(struct seq *s)
{
    cpu_range(s, smp_cpus_found());
}

/* /sys/devices/system/cpu: online, present, possible, and a cpuN
 * directory for each CPU present (glibc before 2.35 counts them for
 * _SC_NPROCESSORS_CONF). */
static void sysfs_cpus(void)
{
    add_gen("/sys/devices/system/cpu/online", gen_cpu_online);
    add_gen("/sys/devices/system/cpu/present", gen_cpu_present);
    add_gen("/sys/devices/system/cpu/possible", gen_cpu_possible);
    for (unsigned i = 0; i < smp_cpus_up(); i++) {
        char path[40];
        int n =
            snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", i);
        if (!node_mkdirs(path, (size_t)n))
            panic("procfs: cannot create %s", path);
    }
}

static void pseudo_tree(const char *path)
{
    struct node *root;
    if (path_resolve(AT_FDCWD, path, false, &root) == 0) {
        mark_pseudo(root);
        node_put(root);
    }
}

void procfs_init(void)
{
    static const struct {
        const char *path;
        void (*gen)(struct seq *);
    } files[] = {
        {"/proc/mounts", procfs_gen_mounts},
        {"/proc/cpuinfo", gen_cpuinfo},
        {"/proc/meminfo", gen_meminfo},
        {"/proc/diskstats", gen_diskstats},
        {"/proc/uptime", gen_uptime},
        {"/proc/stat", gen_sys_stat},
        {"/proc/loadavg", gen_loadavg},
        {"/proc/version", gen_version},
        {"/proc/sys/kernel/hostname", gen_hostname},
        {"/proc/sys/net/core/somaxconn", gen_somaxconn},
        {"/proc/sys/fs/pipe-max-size", gen_pipe_max_size},
        {"/proc/sys/vm/overcommit_memory", gen_overcommit},
        {"/proc/sys/fs/inotify/max_queued_events", gen_inotify_queued},
        {"/proc/sys/fs/inotify/max_user_instances", gen_inotify_instances},
        {"/proc/sys/fs/inotify/max_user_watches", gen_inotify_watches},
        {"/proc/net/route", route_proc_ipv4},
        {"/proc/net/ipv6_route", route_proc_ipv6},
        {"/proc/net/igmp", route_proc_igmp},
        {"/proc/net/igmp6", route_proc_igmp6},
        {"/proc/net/lwip", net_proc_lwip},
    };
    for (unsigned i = 0; i < ARRAY_SIZE(files); i++)
        add_gen(files[i].path, files[i].gen);
    if (failinject_named(FAIL_NET))
        add("/proc/gorump/failnet", S_IFREG | 0644)->fops = &failnet_ops;
    struct node *dir;
    if (path_resolve(AT_FDCWD, "/proc", false, &dir))
        panic("procfs: no /proc");
    procfs_pid_init(dir);
    node_put(dir);
    pseudo_tree("/proc");
    sysfs_cpus();
    pseudo_tree("/sys");
}
