/*
 * arch/x86_64/boot.S — the PVH entry point.  QEMU (and Xen, Firecracker,
 * cloud-hypervisor) enter here in 32-bit protected mode, paging off, with
 * %ebx holding the physical address of the hvm_start_info.  We build
 * temporary page tables mapping the first 1 GiB at 0, at KERNEL_BASE and
 * at DIRECT_BASE, enter long mode, and call kmain(start_info) in the higher
 * half, where mm/ builds the real tables.
 *
 * A second entry, mb2_start32, is for boot loaders speaking Multiboot2
 * (GRUB's `multiboot2`, on a bootable disk: docs/DEPLOY.md): the same
 * machine state (Multiboot2 §3.3: 32-bit protected mode, paging off),
 * with %eax the Multiboot2 magic and %ebx the boot information, which
 * kmain reads instead of the start info when boot_mb2 is set.
 */
#include "arch/x86_64/boot_asm.inc"

/* Xen ELF note XEN_ELFNOTE_PHYS32_ENTRY (18): the 32-bit entry address. */
    .section .note.Xen, "a", @note
    .p2align 2
    .long 4, 4, 18
    .asciz "Xen"
    .p2align 2
    .long PHYS(pvh_start32)

/* The Multiboot2 header (Multiboot2 §3.1): within the first 32 KiB of
 * the file and 8-byte aligned, so first in .text.boot, which starts the
 * first PT_LOAD at file offset 4096.  GRUB loads the ELF's PT_LOAD
 * segments at their p_paddr; the entry tag gives the physical 32-bit
 * entry (e_entry is the higher-half address); modules page-aligned. */
#define MB2_MAGIC 0xe85250d6
    .section .text.boot, "ax"
    .p2align 3
mb2_header:
    .long MB2_MAGIC, 0, mb2_header_end - mb2_header
    .long 0x100000000 - (MB2_MAGIC + (mb2_header_end - mb2_header))
    .word 3, 0                      /* entry address */
    .long 12, PHYS(mb2_start32)
    .long 0                         /* pad to 8 */
    .word 6, 0                      /* module alignment */
    .long 8
    .word 0, 0                      /* end */
    .long 8
mb2_header_end:

    .code32
    .globl mb2_start32
mb2_start32:
    cli
    cmp $0x36d76289, %eax           /* the boot loader's magic */
    jne 3f
    movl $1, PHYS(boot_mb2)
    jmp pvh_start32
3:  hlt
    jmp 3b

    .globl pvh_start32
pvh_start32:
    cli
    cld
    mov %ebx, %esi
    rdtsc
    mov %eax, PHYS(boot_tsc)
    mov %edx, PHYS(boot_tsc) + 4
    mov $PHYS(boot_stack_top), %esp

    /* Zero the four boot tables (they are in .bss, 16 KiB). */
    mov $PHYS(boot_pml4), %edi
    xor %eax, %eax
    mov $4096, %ecx
    rep stosl

    /* pml4[0] and pml4[511] -> pdpt_lo / pdpt_hi; both -> one pd. */
    movl $PHYS(boot_pdpt_lo) + 3, PHYS(boot_pml4)
    movl $PHYS(boot_pdpt_hi) + 3, PHYS(boot_pml4) + 511 * 8
    /* pml4[273]: the start of the direct map (DIRECT_BASE), first 1 GiB. */
    movl $PHYS(boot_pdpt_lo) + 3, PHYS(boot_pml4) + 273 * 8
    movl $PHYS(boot_pd) + 3, PHYS(boot_pdpt_lo)
    movl $PHYS(boot_pd) + 3, PHYS(boot_pdpt_hi) + 510 * 8
    /* pd: 512 x 2 MiB pages, present | writable | large. */
    mov $PHYS(boot_pd), %edi
    mov $0x83, %eax
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b

    ENABLE_LONG_MODE
    lgdt PHYS(boot_gdtr)
    ljmp $0x08, $PHYS(start64)

    .code64
start64:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $higher_half, %rax
    jmp *%rax

    .text
higher_half:
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    mov %esi, %edi
    call kmain
2:  hlt
    jmp 2b

    .section .rodata
    .p2align 3
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff        /* 0x10: data */
boot_gdt_end:
boot_gdtr:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYS(boot_gdt)

    .data
    .p2align 3
    .globl boot_tsc
boot_tsc:
    .quad 0
    .globl boot_mb2
boot_mb2:
    .long 0

    .bss
    .p2align 12
    .globl boot_pml4
boot_pml4:
    .skip 4096
boot_pdpt_lo:
    .skip 4096
boot_pdpt_hi:
    .skip 4096
boot_pd:
    .skip 4096
    .globl boot_stack_top
boot_stack:
    .skip 16384
boot_stack_top:
