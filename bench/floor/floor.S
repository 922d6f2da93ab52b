/*
 * bench/floor/floor.S — the floor of a PVH boot: a kernel whose first
 * instruction asks QEMU to exit (isa-debug-exit at 0x501), so the time to
 * run it is QEMU's own start and stop, with nothing of a kernel's.
 * bench/startup measures `gorump run` against it.
 */
    .section .note.Xen, "a", @note
    .p2align 2
    .long 4, 4, 18          /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .p2align 2
    .long floor_start

    .text
    .code32
    .globl floor_start
floor_start:
    mov $0x501, %dx
    xor %eax, %eax          /* QEMU exits with status (0 << 1) | 1 */
    outb %al, %dx
1:  hlt
    jmp 1b
