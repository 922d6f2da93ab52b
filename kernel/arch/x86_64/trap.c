/*
 * arch/x86_64/trap.c — the IDT and the C side of every trap and interrupt.
 * A fault in user mode becomes a page-in or a signal; a fault in the kernel
 * is either a user access that the uaccess fixup table covers, or a bug, and
 * then the machine stops with a full report (vector, error, RIP, CR2,
 * registers, backtrace).
 */
#include "arch/x86_64/arch.h"
#include "drv/drv.h"
#include "gorump/console.h"
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

static bool fixup(struct trapframe *tf)
{
    for (const struct extable_entry *e = __extable_start; e < __extable_end;
         e++) {
        if (e->insn == tf->rip) {
            tf->rip = e->fixup;
            return true;
        }
    }
    return false;
}

static __noreturn void kernel_fault(struct trapframe *tf)
{
    const char *name = tf->vector < 32 ? exc_names[tf->vector] : NULL;
    kprintf("gorump: kernel panic: unexpected trap %lu (%s) in kernel\n",
            tf->vector, name ? name : "interrupt");
    trap_dump(tf);
    console_panic();
    arch_poweroff(GORUMP_STATUS_PANIC);
}

static void page_fault(struct trapframe *tf)
{
    uint64_t addr = read_cr2();
    bool user = tf->cs & 3;
    int err = addr < USER_TOP ? vm_fault(addr, tf->error) : -EFAULT;

    if (err == 0)
        return;
    if (user) {
        signal_fault(tf, err, addr);
        return;
    }
    if (addr < USER_TOP && fixup(tf)) {
        if (err == -ENOMEM)
            oom_kill(addr);
        return;
    }
    kernel_fault(tf);
}

/* Called from trap.S for every vector but SYSCALL. */
void trap_handler(struct trapframe *tf);
void trap_handler(struct trapframe *tf)
{
    uint64_t v = tf->vector;

    if (v == 14) {
        page_fault(tf);
    } else if (v < 32) {
        if (!(tf->cs & 3) || v == 2 || v == 8 || v == 18)
            kernel_fault(tf);
        signal_trap(tf);
    } else if (v == VEC_SPURIOUS) {
        return;
    } else {
        if (irq_handlers[v])
            irq_handlers[v](tf);
        apic_eoi();
    }
    if (tf->cs & 3)
        user_return(tf);
}
