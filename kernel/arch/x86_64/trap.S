/*
 * arch/x86_64/trap.S — every way into and out of the kernel: the 256
 * interrupt/exception stubs, the SYSCALL entry, the common return path, the
 * context switch between kernel stacks, and the first entry of a new thread.
 * All of them save and restore a struct trapframe (arch.h).
 */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_DS 0x1b
#define USER_CS 0x23
#define VEC_SYSCALL 0x100

.macro PUSH_REGS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/* Stubs: push a zero error code where the CPU pushes none, then the vector.
 * Each is 16 bytes apart so trap_init can compute their addresses. */
    .text
    .p2align 4
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    .p2align 4
    .if (vec == 8 || vec == 10 || vec == 11 || vec == 12 || vec == 13 || vec == 14 || vec == 17 || vec == 21 || vec == 29 || vec == 30)
    nop
    nop
    .else
    pushq $0
    .endif
    pushq $vec
    jmp trap_common
    .set vec, vec + 1
    .endr

/* An interrupt gate clears IF and TF but not AC: a program's AC would
 * open every user page to the kernel under SMAP (Intel SDM vol. 3
 * §4.6.1), so it is cleared here; iretq restores it from the frame. */
.macro CLEAR_AC
    cmpb $0, cpu0 + 25(%rip)        /* cpu0.smap: clac exists */
    je 9f
    clac
9:
.endm

trap_common:
    testb $3, 24(%rsp)              /* came from ring 3? */
    jz 1f
    swapgs
1:  pushq $-1                       /* orig_rax */
    PUSH_REGS
    cld
    CLEAR_AC
    /* From ring 3 the gate left SS null; the kernel's data selector goes
     * back in, so the kernel always runs with the SS it booted with and
     * that SYSCALL loads.  Long mode ignores SS, but QEMU's TCG keys the
     * code it translates by SS's B bit: with a null SS after a fault or
     * an interrupt from the program, and the flat one after a system
     * call, it translated every kernel path both take twice (422 blocks
     * of hello's 9,255, docs/PERFORMANCE.md). */
    testb $3, 152(%rsp)             /* the frame's cs */
    jz 2f
    mov $KERNEL_DS, %eax
    mov %eax, %ss
2:  mov %rsp, %rdi
    call trap_handler
    jmp trap_return

/* Return through iretq to the frame at %rsp. */
    .globl trap_return
trap_return:
    POP_REGS
    add $24, %rsp                   /* orig_rax, vector, error */
    testb $3, 8(%rsp)
    jz 2f
    swapgs
    /* The one iretq to user mode: a #GP, #SS or #NP raised by it (a bad
     * RIP or segment in the frame) is turned into the program's fault by
     * trap.c (trap_bad_iret), never a kernel one. */
    .globl trap_iret_user
trap_iret_user:
    iretq
2:  iretq

/* void trap_return_to(struct trapframe *tf) */
    .globl trap_return_to
trap_return_to:
    mov %rdi, %rsp
    jmp trap_return

/*
 * SYSCALL: rip in rcx, rflags in r11, interrupts off (FMASK), still on the
 * user stack.  Build a trapframe on the thread's kernel stack, dispatch, and
 * leave through SYSRET unless syscall_handler asks for a full iretq (after a
 * signal was delivered, sigreturn, or a return address at or above
 * USER_TOP).  That last one matters: on Intel CPUs a SYSRET to a
 * non-canonical RCX raises #GP in ring 0 on the user's stack (the SYSRET
 * erratum, CVE-2012-0217); iretq faults cleanly and trap_bad_iret turns
 * that into the program's SIGSEGV.  FMASK has cleared AC (cpu.c).
 */
    .globl syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:8
    mov %gs:0, %rsp
    pushq $USER_DS
    pushq %gs:8
    push %r11
    pushq $USER_CS
    push %rcx
    pushq $0                        /* error */
    pushq $VEC_SYSCALL
    push %rax                       /* orig_rax */
    PUSH_REGS
    cld
    mov %rsp, %rdi
    call syscall_handler
    test %eax, %eax
    jnz trap_return
    POP_REGS
    add $24, %rsp
    mov (%rsp), %rcx
    mov 16(%rsp), %r11
    mov 24(%rsp), %rsp
    swapgs
    sysretq

/* void arch_switch(uint64_t *save_sp, uint64_t next_sp): RFLAGS too, so
 * neither IF nor AC nor DF carries over from one thread to the next. */
    .globl arch_switch
arch_switch:
    pushfq
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    popfq
    ret

/* A new thread's first switch returns here, with %rsp at its trapframe. */
    .globl thread_trampoline
thread_trampoline:
    call sched_thread_start
    jmp trap_return
