/*
 * bench/floor/floor.S — the floor of a PVH boot: a kernel whose first
 * instruction asks QEMU to exit (isa-debug-exit at 0x501), so the time to
 * run it is QEMU's own start and stop, with nothing of a kernel's.
 * bench/startup measures `gorump run` against it.  It writes 0x10, so
 * that QEMU exits with status 33, which no failure of QEMU's own gives
 * (a bad option exits with 1, the status a 0 would give).
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
    mov $0x10, %al          /* QEMU exits with status (0x10 << 1) | 1 */
    outb %al, %dx
1:  hlt
    jmp 1b
