/*
 * arch/x86_64/vdso_blob.S — the vDSO's file (built from arch/x86_64/vdso/
 * by the Makefile, VDSO_SO its path), whole, for proc/vdso.c to copy into
 * each program's address space.
 */
    .section .rodata
    .balign 16
    .globl vdso_image_start, vdso_image_end
vdso_image_start:
    .incbin VDSO_SO
vdso_image_end:
    .section .note.GNU-stack, "", @progbits
