/*
 * arch/x86_64/boot_asm.h — for the assembly that enters long mode, the
 * boot CPU's (boot.S) and the application processors' (smp_tramp.S).
 */
#ifndef ARCH_X86_64_BOOT_ASM_H
#define ARCH_X86_64_BOOT_ASM_H

#define KERNEL_BASE 0xffffffff80000000
#define PHYS(x) ((x)-KERNEL_BASE)

/* In 32-bit protected mode, paging off: PAE, CR3 = boot.S's tables, EFER
 * LME and NXE, then PG (with WP): the CPU is in compatibility mode and a
 * far jump to a 64-bit code segment enters long mode (Intel SDM vol. 3
 * §10.8.5). */
.macro ENABLE_LONG_MODE mov % cr4, % eax or $(1 << 5), %
                                                           eax /* PAE */
                                                           mov
                                                           % eax,
    % cr4 mov $PHYS(boot_pml4), % eax mov % eax, % cr3 mov $0xc0000080,
    % ecx /* EFER: LME | NXE */
            rdmsr
        or $((1 << 8) | (1 << 11)),
    % eax wrmsr mov % cr0, % eax or $0x80010001, %
                                                     eax /* PG | WP | PE */
                                                     mov
                                                     % eax,
    % cr0.endm

#endif
