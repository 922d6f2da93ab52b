/*
 * exit.c — the end of the program, top to bottom: the exit sequence runs
 * here, at the top, so that proc/ does not reach into fs/, net/ and drv/
 * (proc_exit calls kernel_exit and nothing else).  Each step may use the
 * layers the steps after it tear down; keep the order.
 */
#include "kernel.h"
#include "arch/x86_64/arch.h"
#include "drv/drv.h"
#include "drv/netdev.h"
#include "fs/fs.h"
#include "fs/mount.h"
#include "mm/mm.h"
#include "net/net.h"
#include "proc/proc.h"

/* gorump.stats: what the run cost, before anything is torn down. */
static void print_stats(void)
{
    uint32_t r[4];
    char hv[13];
    cpuid(0x40000000, 0, r);
    memcpy(hv, &r[1], 4);
    memcpy(hv + 4, &r[2], 4);
    memcpy(hv + 8, &r[3], 4);
    hv[12] = '\0';
    uint64_t cr4 = this_cpu()->cr4;
    kprintf("gorump: stats: first-output-us=%lu tsc-khz=%lu hypervisor=%s "
            "smep=%d smap=%d umip=%d\n",
            console_first_output_ns() / 1000, clock_tsc_hz() / 1000,
            hv[0] ? hv : "none", !!(cr4 & CR4_SMEP), !!(cr4 & CR4_SMAP),
            !!(cr4 & CR4_UMIP));
    kprintf("gorump: stats: free-pages=%lu total-pages=%lu resident=%lu "
            "threads=%d processes=%d open-fds=%d injected-failures=%lu\n",
            pmem_free_pages(), pmem_total_pages(), vm_resident_pages(),
            proc_nthreads(), proc_count(), fd_count(), failinject_count());
    kprintf("gorump: stats: disk-cached=%lu disk-reclaimed=%lu\n",
            diskfile_cached(), diskfile_reclaimed());
    for (int i = 0; i < netdev_count(); i++) {
        struct netdev *d = netdev_get(i);
        kprintf("gorump: stats: %s rx-packets=%lu tx-packets=%lu "
                "tx-tso=%lu tx-tso-segs=%lu rx-gso=%lu rx-gso-segs=%lu "
                "irqs=%lu\n",
                d->name, d->rx_packets, d->tx_packets, d->tx_tso,
                d->tx_tso_segs, d->rx_gso, d->rx_gso_segs, d->irqs);
    }
    if (smp_multi)
        kprintf("gorump: stats: bkl-enters=%lu bkl-contended=%lu "
                "bkl-spins=%lu bkl-halts=%lu tlb-flushes=%lu shootdowns=%lu "
                "shot-cpus=%lu resched-ipis=%lu steals=%lu\n",
                smp_stats.enters, smp_stats.contended, smp_stats.spins,
                smp_stats.halts, smp_stats.flushes, smp_stats.quiesces,
                smp_stats.shot_cpus, smp_stats.kicks, sched_steals());
    boot_marks_print();
}

__noreturn void kernel_exit(int status)
{
    /* 1. The statistics, while everything they count is still there. */
    boot_mark("program");
    if (cmdline_has("gorump.stats"))
        print_stats();
    /* 2. As on Linux, exit closes every file: a TCP peer gets its FIN
     * after the data still queued (or a reset if data was left unread),
     * and sees the connection end even when nothing on the host closes
     * it for us (a tap network, a remote server). */
    fd_close_all();
    /* 3. A program that wrote to a socket and exited expects its data and
     * the FIN to arrive, as Linux keeps sending after the process is
     * gone. */
    net_drain(2000);
    /* 4. Volumes written back, flushed and marked clean (fs/ext2fs.c),
     * once no file holds them open; a panic does not come here and
     * leaves them to the host's e2fsck. */
    mount_unmount_all();
    /* 5. The exit record to the host, and the machine stops. */
    kernel_stop(status & 0xff);
}
