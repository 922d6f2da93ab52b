/*
 * arch/x86_64/poweroff.c — the machine's last instructions: a write to
 * QEMU's isa-debug-exit port (include/gorump/console.h), which ends QEMU
 * with 2 * status + 1.  A monitor without that port (Firecracker,
 * cloud-hypervisor; docs/DEPLOY.md) ignores the write, so the kernel then
 * pulses the keyboard controller's reset line (command 0xfe to port 0x64:
 * Firecracker's i8042 ends the VM on it) and, if that did nothing either,
 * triple-faults (an empty IDT and a breakpoint), which every monitor
 * takes as a reset, and gorump runs its guests with no reboot.  The
 * status has reached the host already, in the console's exit record.
 */
#include "arch/x86_64/arch.h"
#include "gorump/console.h"

#define I8042_CMD 0x64
#define I8042_RESET 0xfe

__noreturn void arch_poweroff(int status)
{
    static const struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) no_idt = {0, 0};
    outb(GORUMP_DEBUG_EXIT_PORT, (uint8_t)status);
    outb(I8042_CMD, I8042_RESET);
    __asm__ volatile("lidt %0; int3" : : "m"(no_idt));
    for (;;)
        __asm__ volatile("cli; hlt");
}
