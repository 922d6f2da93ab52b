/*
 * arch/x86_64/poweroff.c — the machine's last instruction: a write to
 * QEMU's isa-debug-exit port (include/gorump/console.h), which ends QEMU
 * with 2 * status + 1; on a machine without one, the CPU halts for good.
 */
#include "arch/x86_64/arch.h"
#include "gorump/console.h"

__noreturn void arch_poweroff(int status)
{
    outb(GORUMP_DEBUG_EXIT_PORT, (uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}
