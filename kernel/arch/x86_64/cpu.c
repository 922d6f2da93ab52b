/*
 * arch/x86_64/cpu.c — per-CPU set-up: the GDT and TSS (with IST stacks for
 * faults that must not trust the current stack), the SYSCALL MSRs, the
 * kernel GS base, the FPU's control bits (fpu.c), and the protection
 * features the CPU offers (NX is already on; SMEP, SMAP and UMIP when present).
 */
#include "arch/x86_64/arch.h"

struct cpu cpu0;
bool cpu_has_rdrand;
_Static_assert(offsetof(struct cpu, kstack_top) == 0, "trap.S uses gs:0");
_Static_assert(offsetof(struct cpu, user_rsp) == 8, "trap.S uses gs:8");
_Static_assert(offsetof(struct cpu, smap) == 25, "trap.S uses cpu0+25");

static uint8_t ist_stacks[2][CPU_IST_SIZE] __aligned(16);

extern void syscall_entry(void);

/* c's GDT and TSS (its IST stacks already in c->tss.ist), loaded. */
static void gdt_init(struct cpu *c)
{
    uint64_t *gdt = c->gdt;
    struct tss *tss = &c->tss;
    uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffULL; /* 0x08 kernel code, 64-bit */
    gdt[2] = 0x00cf92000000ffffULL; /* 0x10 kernel data */
    gdt[3] = 0x00cff2000000ffffULL; /* 0x18 user data, DPL 3 */
    gdt[4] = 0x00affa000000ffffULL; /* 0x20 user code, 64-bit, DPL 3 */
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
             (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
    tss->iomap_base = sizeof(*tss);

    struct {
        uint16_t limit;
        uint64_t base;
    } __packed gdtr = {sizeof(c->gdt) - 1, (uint64_t)gdt};
    __asm__ volatile("lgdt %0\n\t"
                     "pushq $0x08\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "mov $0x10, %%eax\n\t"
                     "mov %%eax, %%ds\n\t"
                     "mov %%eax, %%es\n\t"
                     "mov %%eax, %%ss\n\t"
                     "xor %%eax, %%eax\n\t"
                     "mov %%eax, %%fs\n\t"
                     "mov %%eax, %%gs\n\t"
                     "mov %1, %%ax\n\t"
                     "ltr %%ax"
                     :
                     : "m"(gdtr), "i"(TSS_SEL)
                     : "rax", "memory");
}

void cpu_set_kstack(uint64_t top)
{
    struct cpu *c = this_cpu();
    c->tss.rsp[0] = top;
    c->kstack_top = top;
}

static void features_init(struct cpu *c)
{
    uint32_t r[4];
    uint64_t cr4;

    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    cpuid(1, 0, r);
    if (c == &cpu0) /* an AP may run this while the boot CPU reads it */
        cpu_has_rdrand = r[2] & (1u << 30);
    cpuid(0, 0, r);
    if (r[0] >= 7) {
        /* CPUID.(EAX=7,ECX=0): EBX bit 7 SMEP, bit 20 SMAP; ECX bit 2
         * UMIP (Intel SDM vol. 3 §2.5, CR4 bits 20, 21, 11).  Each only
         * when present: clac and stac are invalid opcodes without SMAP. */
        cpuid(7, 0, r);
        if (r[1] & (1u << 7))
            cr4 |= CR4_SMEP;
        if (r[1] & (1u << 20)) {
            cr4 |= CR4_SMAP;
            c->smap = true;
        }
        if (r[2] & (1u << 2))
            cr4 |= CR4_UMIP;
    }
    c->cr4 = cr4;
    __asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
    fpu_cpu_init(); /* SSE, and XSAVE's components (fpu.c) */

    uint64_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 &= ~((1UL << 2) | (1UL << 3)); /* EM, TS off */
    cr0 |= (1UL << 1) | (1UL << 5);    /* MP, NE */
    __asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
}

static void syscall_init(struct cpu *c)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1); /* SCE */
    /* SYSRET loads CS from STAR[63:48]+16 and SS from +8: 0x20|3, 0x18|3. */
    wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)KERNEL_CS << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* Clear IF, DF, TF, AC, NT and IOPL on entry: AC above all, or a
     * program that set it would have the kernel run with SMAP open. */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC | RFLAGS_NT |
                         RFLAGS_IOPL);
    wrmsr(MSR_GS_BASE, (uint64_t)c);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

/* What every CPU sets up for itself; GS reaches c from here on. */
static void cpu_setup(struct cpu *c)
{
    c->self = c;
    gdt_init(c);
    features_init(c);
    syscall_init(c);
}

void cpu_init(void)
{
    cpu0.tss.ist[0] = (uint64_t)ist_stacks[0] + CPU_IST_SIZE;
    cpu0.tss.ist[1] = (uint64_t)ist_stacks[1] + CPU_IST_SIZE;
    cpu_setup(&cpu0);
    fpu_boot();
}

void cpu_init_ap(struct cpu *c)
{
    cpu_setup(c);
}
