/*
 * arch/x86_64/smp_tramp.S — where an application processor starts.  A
 * startup IPI with vector V starts it in real mode at CS = V << 8, IP = 0
 * (Intel SDM vol. 3 §8.4.4.1, §10.6.1), so smp.c copies smp_tramp to the
 * page SMP_TRAMP_PA below 1 MiB.  The code goes real mode -> protected
 * mode -> long mode (SDM vol. 3 §9.9 / §10.8.5: long mode is entered from
 * protected mode with paging off) on the boot page tables of boot.S,
 * which still map the first 1 GiB at 0 and the kernel where it runs, then
 * jumps to smp_ap_entry in the kernel proper.  No stack until then: every
 * AP runs this at once, and each finds its own struct cpu (and stack)
 * through its local APIC ID.
 */
#include "arch/x86_64/boot_asm.inc"
#define SMP_TRAMP_PA 0x8000 /* arch.h */
#define TR(x) (SMP_TRAMP_PA + (x) - smp_tramp)

    .section .rodata
    .p2align 4
    .globl smp_tramp, smp_tramp_end
    .code16
smp_tramp:
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl tr_gdtr - smp_tramp
    mov %cr0, %eax
    or $1, %eax                     /* PE */
    mov %eax, %cr0
    ljmpl $0x08, $TR(tr_32)

    .code32
tr_32:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    ENABLE_LONG_MODE
    ljmp $0x18, $TR(tr_64)

    .code64
tr_64:
    movabs $smp_ap_entry, %rax
    jmp *%rax

    .p2align 3
tr_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff        /* 0x08: 32-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
    .quad 0x00af9a000000ffff        /* 0x18: 64-bit code */
tr_gdtr:
    .word tr_gdtr - tr_gdt - 1
    .long TR(tr_gdt)
smp_tramp_end:

/* In the kernel's text, on the boot tables still: switch to the kernel's
 * own (smp_ap_cr3), find this CPU's struct cpu by its initial APIC ID
 * (CPUID.1:EBX[31:24]) and call smp_ap_main(cpu) on its stack. */
    .text
smp_ap_entry:
    mov smp_ap_cr3(%rip), %rax
    mov %rax, %cr3
    mov $1, %eax
    cpuid
    shr $24, %ebx
    lea smp_by_apic(%rip), %rax
    mov (%rax, %rbx, 8), %rdi
    test %rdi, %rdi
    jz 1f
    mov (%rdi), %rsp                /* cpu->kstack_top */
    xor %ebp, %ebp
    call smp_ap_main
1:  hlt
    jmp 1b
