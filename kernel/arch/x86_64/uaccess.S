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
