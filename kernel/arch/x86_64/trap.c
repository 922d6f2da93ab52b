/*
 * arch/x86_64/trap.c — the IDT and the C side of every trap and interrupt.
 * A fault in user mode becomes a page-in or a signal; a fault in the kernel
 * is either a user access that the uaccess fixup table covers, a return to
 * user mode that the program's own registers made fault (bad_iret), or a
 * bug, and then the machine stops with a full report (vector, error, RIP,
 * CR2, registers, backtrace; a kernel stack overflow says so).
 */
#include "arch/x86_64/arch.h"
#include "mm/mm.h"
#include "proc/proc.h"

struct idt_entry {
    uint16_t off0, sel;
    uint8_t ist, type;
    uint16_t off1;
    uint32_t off2, zero;
} __packed;

struct extable_entry {
    uint64_t insn, fixup;
};

static struct idt_entry idt[256] __aligned(16);
static void (*irq_handlers[256])(struct trapframe *);
extern char trap_stubs[];
extern const struct extable_entry __extable_start[], __extable_end[];

static const char *const exc_names[32] = {
    "divide error",
    "debug",
    "NMI",
    "breakpoint",
    "overflow",
    "bound range",
    "invalid opcode",
    "device not available",
    "double fault",
    "coprocessor overrun",
    "invalid TSS",
    "segment not present",
    "stack fault",
    "general protection",
    "page fault",
    "reserved",
    "x87 FP error",
    "alignment check",
    "machine check",
    "SIMD FP error",
    "virtualization",
    "control protection",
};

static void idt_set(int vec, uint8_t ist, uint8_t dpl)
{
    uint64_t off = (uint64_t)trap_stubs + 16 * vec;
    idt[vec] = (struct idt_entry){
        .off0 = off & 0xffff,
        .sel = KERNEL_CS,
        .ist = ist,
        .type = 0x8e | (dpl << 5),
        .off1 = (off >> 16) & 0xffff,
        .off2 = off >> 32,
    };
}

void trap_init(void)
{
    for (int v = 0; v < 256; v++)
        idt_set(v, 0, 0);
    idt_set(2, 2, 0);  /* NMI */
    idt_set(8, 1, 0);  /* double fault */
    idt_set(18, 2, 0); /* machine check */
    idt_set(3, 0, 3);  /* int3 from user mode gives SIGTRAP */
    trap_load_idt();
}

void trap_load_idt(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __packed idtr = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" ::"m"(idtr));
}

void irq_register(uint8_t vector, void (*fn)(struct trapframe *))
{
    irq_handlers[vector] = fn;
}

static void print_addr(const char *what, uint64_t addr)
{
    uint64_t off;
    const char *name = ksym_lookup(addr, &off);
    if (name)
        kprintf("%s %016lx %s+0x%lx\n", what, addr, name, off);
    else
        kprintf("%s %016lx\n", what, addr);
}

static void backtrace(uint64_t rip, uint64_t rbp)
{
    print_addr("  at", rip);
    for (int i = 0; i < 16 && rbp >= KERNEL_BASE && !(rbp & 7); i++) {
        uint64_t *frame = (uint64_t *)rbp;
        if (frame[1] < KERNEL_BASE)
            break;
        print_addr("  by", frame[1]);
        rbp = frame[0];
    }
}

void trap_dump(const struct trapframe *tf)
{
    kprintf("RIP %04lx:%016lx RFLAGS %08lx error %lx CR2 %016lx\n", tf->cs,
            tf->rip, tf->rflags, tf->error, read_cr2());
    kprintf("RAX %016lx RBX %016lx RCX %016lx RDX %016lx\n", tf->rax, tf->rbx,
            tf->rcx, tf->rdx);
    kprintf("RSI %016lx RDI %016lx RBP %016lx RSP %016lx\n", tf->rsi, tf->rdi,
            tf->rbp, tf->rsp);
    kprintf("R8  %016lx R9  %016lx R10 %016lx R11 %016lx\n", tf->r8, tf->r9,
            tf->r10, tf->r11);
    kprintf("R12 %016lx R13 %016lx R14 %016lx R15 %016lx\n", tf->r12, tf->r13,
            tf->r14, tf->r15);
    if (!(tf->cs & 3))
        backtrace(tf->rip, tf->rbp);
}

void backtrace_here(void)
{
    kprintf("backtrace:\n");
    uint64_t *frame = __builtin_frame_address(0);
    backtrace(frame[1], frame[0]);
}

static const struct extable_entry *extable_find(uint64_t rip)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end;
         e++)
        if (e->insn == rip)
            return e;
    return NULL;
}

static __noreturn void kernel_fault(struct trapframe *tf)
{
    const char *name = tf->vector < 32 ? exc_names[tf->vector] : NULL;
    kprintf("gorump: kernel panic: unexpected trap %lu (%s) in kernel\n",
            tf->vector, name ? name : "interrupt");
    trap_dump(tf);
    panic_halt();
}

/* Running off the bottom of a kernel stack lands in its guard (kstack.c);
 * a fault there, or the double fault it becomes when the CPU cannot push
 * the fault's frame on that stack either, is reported as what it is. */
static void check_stack_overflow(const struct trapframe *tf, uint64_t addr)
{
    if (!kstack_guard(addr) && !kstack_guard(tf->rsp))
        return;
    struct thread *t = current();
    kprintf("gorump: kernel panic: kernel stack overflow in thread %d "
            "(stack %016lx-%016lx, RSP %016lx, address %016lx)\n",
            t ? t->tid : 0, t ? t->kstack : 0, t ? t->kstack + KSTACK_SIZE : 0,
            tf->rsp, addr);
    trap_dump(tf);
    panic_halt();
}

/* A kernel-mode fault on a user address.  Only the uaccess routines may
 * touch user memory (with SMAP the CPU enforces it): their faults are
 * serviced as the program's own would be, and what cannot be becomes
 * -EFAULT at the routine's fixup.  Anywhere else it is a kernel bug, and
 * serviced silently it would hide one. */
static void kernel_page_fault(struct trapframe *tf, uint64_t addr)
{
    const struct extable_entry *e = extable_find(tf->rip);
    if (e && addr < USER_TOP) {
        assert(bkl_held());
        int err = vm_fault(addr, tf->error);
        if (err == 0)
            return;
        tf->rip = e->fixup;
        if (err == -ENOMEM)
            oom_kill(addr);
        return;
    }
    check_stack_overflow(tf, addr);
    if (addr < USER_TOP)
        kprintf("gorump: kernel panic: kernel bug: access to user address "
                "%016lx outside the uaccess routines\n",
                addr);
    kernel_fault(tf);
}

static void page_fault(struct trapframe *tf)
{
    uint64_t addr = read_cr2();

    if (!(tf->cs & 3)) {
        kernel_page_fault(tf, addr);
        return;
    }
    int err = addr < USER_TOP ? vm_fault(addr, tf->error) : -EFAULT;
    if (err)
        signal_fault(tf, err, addr);
}

/*
 * The iretq to user mode in trap.S raised #GP, #SS or #NP: the frame it
 * was to load (a non-canonical RIP from a signal handler's address or a
 * sigreturn frame) is the program's fault, not the kernel's.  The CPU
 * pushed this trap's frame below the one iretq could not load (tf->rsp
 * points at it), and the registers trap.S saved are the program's, so the
 * program's trapframe is rebuilt where it was and the fault is delivered
 * as if the program had raised it (Intel SDM vol. 3 §6.14.2; Linux does
 * the same in fixup_bad_iret).  GS is already the user's again: swap back.
 */
static __noreturn void bad_iret(struct trapframe *tf)
{
    struct trapframe *u =
        (struct trapframe *)(tf->rsp - offsetof(struct trapframe, rip));
    uint64_t vector = tf->vector, error = tf->error;

    /* First of all: current() reads the kernel's GS. */
    __asm__ volatile("swapgs" ::: "memory");
    bkl_enter();
    assert(u == current()->tf);
    memmove(u, tf, offsetof(struct trapframe, orig_rax));
    u->orig_rax = -1;
    u->vector = vector;
    u->error = error;
    signal_trap(u);
    user_return(u);
    bkl_leave(true);
    trap_return_to(u);
}

static bool is_bad_iret(const struct trapframe *tf)
{
    extern char trap_iret_user[];
    return !(tf->cs & 3) && tf->rip == (uint64_t)trap_iret_user &&
           (tf->vector == 11 || tf->vector == 12 || tf->vector == 13);
}

/* A CPU exception (vector < 32) from user or kernel mode. */
static void exception(struct trapframe *tf)
{
    uint64_t v = tf->vector;
    if (v == 14) {
        page_fault(tf);
        return;
    }
    if (v == 8)
        check_stack_overflow(tf, read_cr2());
    if (!(tf->cs & 3) || v == 2 || v == 8 || v == 18)
        kernel_fault(tf);
    signal_trap(tf);
}

/*
 * Called from trap.S for every vector but SYSCALL.  Takes the BKL
 * (smp_ipi.c) but for what must not wait for it: a return to user mode
 * that faulted (GS is still the program's), the TLB and stop IPIs, and
 * faults in kernel code, which already holds it or is a bug.  An
 * interrupt in kernel mode comes only in the idle loop's hlt (BKL
 * released) or in a wait that halts holding it (net_drain).
 */
void trap_handler(struct trapframe *tf);
void trap_handler(struct trapframe *tf)
{
    uint64_t v = tf->vector;
    bool user = tf->cs & 3;

    if (is_bad_iret(tf))
        bad_iret(tf);
    if (v == VEC_TLB || v == VEC_STOP || v == VEC_BKL) {
        apic_eoi();
        smp_ipi_lockless(v);
        return;
    }
    if (v == VEC_SPURIOUS)
        return;
    if (!user && v < 32) {
        exception(tf);
        return;
    }
    bool took = bkl_enter();
    if (v < 32) {
        exception(tf);
    } else {
        if (irq_handlers[v])
            irq_handlers[v](tf);
        apic_eoi();
    }
    if (user)
        user_return(tf);
    if (took)
        bkl_leave(user);
}
