/*
 * arch/x86_64/uaccess.S — the only code that touches user memory.  A fault
 * inside one of these routines that the VM cannot resolve resumes at its
 * fixup label (listed in __extable), which returns -EFAULT (-14).  Callers
 * (mm/uaccess.c) have already checked that the range is below USER_TOP.
 * With SMAP on, stac opens the window for exactly these instructions and
 * clac closes it on both ways out; nothing else in the kernel sets AC
 * (entries clear it: trap.S, FMASK in cpu.c).  Without SMAP (CPUID says
 * so, or a hypervisor hides it) stac and clac do not exist and are
 * skipped.
 */
.macro EXTABLE insn, fixup
    .pushsection __extable, "a"
    .quad \insn, \fixup
    .popsection
.endm

.macro USER_OPEN
    cmpb $0, cpu0 + 25(%rip)         /* cpu0.smap */
    je 9f
    stac
9:
.endm

.macro USER_CLOSE
    cmpb $0, cpu0 + 25(%rip)
    je 9f
    clac
9:
.endm

    .text
/* long uaccess_copy(void *dst, const void *src, size_t n): 0 or -EFAULT.
 * Eight bytes a step, then the rest, as memcpy (lib/string.c): QEMU's
 * TCG emulates each step of a rep on its own, so rep movsb alone made
 * read(2) of cached file data cost eight times the steps. */
    .globl uaccess_copy
uaccess_copy:
    USER_OPEN
    mov %rdx, %rcx
    shr $3, %rcx
1:  rep movsq
    mov %rdx, %rcx
    and $7, %rcx
3:  rep movsb
    USER_CLOSE
    xor %eax, %eax
    ret
2:  USER_CLOSE
    mov $-14, %rax
    ret
    EXTABLE 1b, 2b
    EXTABLE 3b, 2b

/* long uaccess_copy_sum(void *dst, const void *src, size_t n,
 *                       uint64_t *sum): 0 or -EFAULT.  Copies as
 * uaccess_copy and adds what it copied to *sum as little-endian 64-bit
 * words with end-around carry, the last 1-7 bytes as one word padded with
 * zeros: folded to 16 bits that is the Internet checksum's sum of the
 * bytes (RFC 1071), in one pass instead of a copy and a sum.  Four words
 * a step: under TCG every instruction counts.  On a fault *sum is left
 * as it was. */
    .globl uaccess_copy_sum
uaccess_copy_sum:
    USER_OPEN
    push %rcx                        /* sum's address */
    xor %eax, %eax
    mov %rdx, %r8
    shr $5, %r8                      /* 32-byte blocks */
    jz 5f
4:
1:  mov (%rsi), %r9
10: mov 8(%rsi), %r10
11: mov 16(%rsi), %r11
12: mov 24(%rsi), %rcx
    mov %r9, (%rdi)
    mov %r10, 8(%rdi)
    mov %r11, 16(%rdi)
    mov %rcx, 24(%rdi)
    add %r9, %rax
    adc %r10, %rax
    adc %r11, %rax
    adc %rcx, %rax
    adc $0, %rax
    add $32, %rsi
    add $32, %rdi
    dec %r8
    jnz 4b
5:  mov %rdx, %r8
    shr $3, %r8
    and $3, %r8                      /* words left */
    jz 8f
9:
13: mov (%rsi), %r9
    mov %r9, (%rdi)
    add %r9, %rax
    adc $0, %rax
    add $8, %rsi
    add $8, %rdi
    dec %r8
    jnz 9b
8:  and $7, %edx
    jz 7f
    xor %r9d, %r9d                   /* the tail, little-endian */
    xor %ecx, %ecx                   /* its next byte's shift */
6:
3:  movzbl (%rsi), %r10d
    mov %r10b, (%rdi)
    shl %cl, %r10
    or %r10, %r9
    inc %rsi
    inc %rdi
    add $8, %ecx
    dec %edx
    jnz 6b
    add %r9, %rax
    adc $0, %rax
7:  USER_CLOSE
    pop %rcx
    add %rax, (%rcx)
    adcq $0, (%rcx)
    xor %eax, %eax
    ret
2:  USER_CLOSE
    pop %rcx
    mov $-14, %rax
    ret
    EXTABLE 1b, 2b
    EXTABLE 10b, 2b
    EXTABLE 11b, 2b
    EXTABLE 12b, 2b
    EXTABLE 13b, 2b
    EXTABLE 3b, 2b

/* long uaccess_zero(void *udst, size_t n): 0 or -EFAULT */
    .globl uaccess_zero
uaccess_zero:
    USER_OPEN
    mov %rsi, %rcx
    shr $3, %rcx
    xor %eax, %eax
1:  rep stosq
    mov %rsi, %rcx
    and $7, %rcx
3:  rep stosb
    USER_CLOSE
    ret
2:  USER_CLOSE
    mov $-14, %rax
    ret
    EXTABLE 1b, 2b
    EXTABLE 3b, 2b


/* long uaccess_strncpy(char *dst, const char *usrc, size_t max):
 * bytes before the NUL (copied with it), max if none within max bytes,
 * or -EFAULT. */
    .globl uaccess_strncpy
uaccess_strncpy:
    USER_OPEN
    xor %eax, %eax
3:  cmp %rdx, %rax
    je 4f
1:  movb (%rsi,%rax), %cl
    movb %cl, (%rdi,%rax)
    test %cl, %cl
    jz 4f
    inc %rax
    jmp 3b
4:  USER_CLOSE
    ret
2:  USER_CLOSE
    mov $-14, %rax
    ret
    EXTABLE 1b, 2b

/* long uaccess_load32(const uint32_t *uaddr):
 * the value at uaddr, zero-extended, or -EFAULT. */
    .globl uaccess_load32
uaccess_load32:
    USER_OPEN
1:  movl (%rdi), %eax
    USER_CLOSE
    ret
2:  USER_CLOSE
    mov $-14, %rax
    ret
    EXTABLE 1b, 2b
