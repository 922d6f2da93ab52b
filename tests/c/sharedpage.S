/*
 * tests/c/sharedpage.S — a program whose two segments share a page
 * (tests/c/sharedpage.ld).  Linux maps the data segment over that page,
 * so it has the data segment's protection and the file's bytes of both;
 * the bytes past the data's p_filesz in it are zero (the file has the
 * symbol table there), and the .bss beyond is demand-zero.  Checks the
 * read-only bytes, the data word (and that it can be written) and every
 * .bss byte; prints SUCCESS and exits 0, or exits with the number of the
 * check that failed.  No libc: x86-64 Linux system calls only.
 */
    .text
    .globl _start
_start:
    /* 1: the read-only table in the shared page: bytes 0, 1, ..., 63. */
    lea rodata_tail(%rip), %rsi
    xor %ecx, %ecx
1:  cmpb %cl, (%rsi,%rcx)
    jne fail1
    inc %ecx
    cmp $64, %ecx
    jne 1b
    /* 2: the data word, then a write to it. */
    mov datum(%rip), %rax
    movabs $0x1122334455667788, %rdx
    cmp %rdx, %rax
    jne fail2
    not %rdx
    mov %rdx, datum(%rip)
    cmp datum(%rip), %rdx
    jne fail2
    /* 3: every byte of .bss is zero, in the shared page and beyond. */
    lea bss_start(%rip), %rsi
    xor %ecx, %ecx
2:  cmpb $0, (%rsi,%rcx)
    jne fail3
    inc %ecx
    cmp $BSS_SIZE, %ecx
    jne 2b
    mov $1, %eax                /* write(1, msg, 8) */
    mov $1, %edi
    lea msg(%rip), %rsi
    mov $8, %edx
    syscall
    xor %edi, %edi
    jmp exit
fail1:
    mov $1, %edi
    jmp exit
fail2:
    mov $2, %edi
    jmp exit
fail3:
    mov $3, %edi
exit:
    mov $231, %eax              /* exit_group */
    syscall

    .set BSS_SIZE, 3 * 4096

    .section .rodata
msg:
    .ascii "SUCCESS\n"
    /* The table starts a new page, which the data then shares. */
    .balign 4096
rodata_tail:
    .set i, 0
    .rept 64
    .byte i
    .set i, i + 1
    .endr

    .data
    .balign 8
datum:
    .quad 0x1122334455667788

    .bss
bss_start:
    .zero BSS_SIZE

    .section .note.GNU-stack, "", @progbits
