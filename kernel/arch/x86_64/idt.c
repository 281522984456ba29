/* The interrupt descriptor table and the one place every CPU exception
 * arrives: exception_dispatch(). A fault inside a kfault_try() region is
 * recovered; any other fault is reported (vector, error code, faulting
 * address, registers, backtrace) and ends the run: in test mode QEMU
 * exits with the failure code, otherwise the CPU halts. Vectors 32..255
 * are interrupts and go on to the handler the interrupt layer set
 * (trap_set_interrupt_handler: kernel/core/irq_entry.c). */
#include "core/kernel.h"
#include "x86.h"
#include <theseus/irq.h>
#include "trap.h"

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t zero;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static struct idt_entry idt[256];

/* The task-state segment holds the stack a ring transition arrives on
 * (rsp0: set for each user task, trap_set_kernel_stack) and the
 * interrupt stacks (IST): the exceptions that may arrive on a stack that
 * cannot take them run on stacks of their own. A double fault is what a stack overflow becomes
 * (the page fault on the guard page cannot push its frame); NMI and
 * machine check may arrive anywhere. */
enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3, IST_STACKS = 3 };
#define IST_STACK_SIZE (16 * 1024)

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

static struct tss tss;
static uint8_t ist_stacks[IST_STACKS][IST_STACK_SIZE] __attribute__((aligned(16)));
/* The boot GDT's two descriptors, user data and user code (DPL 3, in the
 * order SYSRET expects: STAR[63:48] + 8 is SS, + 16 is CS), then the TSS's
 * (16 bytes). */
static uint64_t gdt[7] __attribute__((aligned(8))) = {
	0, 0x00AF9A000000FFFF /* GDT_KERNEL_CODE */, 0x00CF92000000FFFF /* GDT_KERNEL_DATA */,
	0x00CFF2000000FFFF /* GDT_USER_DATA */, 0x00AFFA000000FFFF /* GDT_USER_CODE */,
};
#define GDT_TSS 0x28
_Static_assert(GDT_USER_DATA == 0x18 && GDT_USER_CODE == 0x20, "GDT layout");

/* Where isr.S and user_entry.S find the stack of ring transitions. */
uint64_t *const tss_rsp0 = &tss.rsp[0];

void trap_set_kernel_stack(uint64_t top) { tss.rsp[0] = top; }

static void load_tss(void)
{
	for (int i = 0; i < IST_STACKS; i++)
		tss.ist[i] = (uint64_t)ist_stacks[i] + IST_STACK_SIZE;
	tss.iomap_base = sizeof tss; /* no I/O permission bitmap */
	uint64_t base = (uint64_t)&tss, limit = sizeof tss - 1;
	gdt[5] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 /* present, 64-bit TSS */ |
		 ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
	gdt[6] = base >> 32;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = {sizeof gdt - 1, (uint64_t)gdt};
	__asm__ volatile("lgdt %0; ltr %w1" ::"m"(p), "r"(GDT_TSS) : "memory");
}
extern const uint64_t isr_table[256];
struct fault_point *fault_point_current;
static void (*interrupt_handler)(uint8_t vector);
static void (*resume_filter)(struct trap_frame *f);
static void (*backtrace_printer)(const struct trap_frame *f);
static bool (*fault_resumer)(struct trap_frame *f);
static void (*abandon_handler)(uint64_t vector);
static bool fatal_exits_qemu;
static void (*user_fault_handler)(struct trap_frame *f, uint64_t cr2);

void trap_set_user_fault_handler(void (*handler)(struct trap_frame *f, uint64_t cr2)) { user_fault_handler = handler; }

void trap_set_interrupt_handler(void (*handler)(uint8_t vector)) { interrupt_handler = handler; }
void trap_set_resume_filter(void (*filter)(struct trap_frame *f)) { resume_filter = filter; }
void trap_set_fatal_exits_qemu(bool on) { fatal_exits_qemu = on; }
void trap_set_backtrace_printer(void (*printer)(const struct trap_frame *f)) { backtrace_printer = printer; }
void trap_set_fault_resumer(bool (*resume)(struct trap_frame *f)) { fault_resumer = resume; }
void trap_set_abandon_handler(void (*abandon)(uint64_t vector)) { abandon_handler = abandon; }

extern char __text_start[], __text_end[];

[[noreturn]] static void halt_kernel(const char *why)
{
	kprintf("KERNEL HALTED: %s\n", why);
	if (fatal_exits_qemu)
		qemu_exit(QEMU_EXIT_FAILURE);
	cpu_halt_forever();
}

/* Could fp be what kfault_try recorded? It resumes in the nano-core's
 * code, on the same stack as the fault and above it. A stack overrun that
 * zeroed or overwrote it fails this, and resuming it would be a jump to
 * nowhere (a double fault, the machine halted). */
bool trap_fault_point_sound(const struct fault_point *fp, uint64_t fault_rsp)
{
	return fp->rip >= (uint64_t)__text_start && fp->rip < (uint64_t)__text_end && fp->rsp > fault_rsp &&
	       fp->rsp - fault_rsp < (1u << 20) && (uint64_t)fp >= fault_rsp;
}

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
	"#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved",
};

const char *exception_name(uint64_t vector)
{
	return vector < 32 ? names[vector] : "interrupt";
}

void idt_init(void)
{
	load_tss();
	for (unsigned v = 0; v < 256; v++) {
		uint64_t a = isr_table[v];
		idt[v] = (struct idt_entry){
			.offset_low = (uint16_t)a,
			.selector = GDT_KERNEL_CODE,
			.ist = v == 8 ? IST_DOUBLE_FAULT : v == 2 ? IST_NMI : v == 18 ? IST_MACHINE_CHECK : 0,
			.type_attr = 0x8E, /* present, DPL 0, 64-bit interrupt gate */
			.offset_mid = (uint16_t)(a >> 16),
			.offset_high = (uint32_t)(a >> 32),
		};
	}
	struct idt_ptr p = {sizeof idt - 1, (uint64_t)idt};
	__asm__ volatile("lidt %0" ::"m"(p));
}

static void report(const struct trap_frame *f, uint64_t cr2)
{
	kprintf("\nEXCEPTION %lu (%s) error=0x%lx\n", f->vector, exception_name(f->vector), f->error_code);
	kprintf("  rip=%p cs=0x%lx rflags=0x%lx rsp=%p\n", (void *)f->rip, f->cs, f->rflags, (void *)f->rsp);
	if (f->vector == 14)
		kprintf("  fault address (cr2)=%p %s %s %s\n", (void *)cr2,
			f->error_code & 1 ? "protection" : "not-present",
			f->error_code & 2 ? "write" : "read",
			f->error_code & 16 ? "fetch" : "");
	kprintf("  rax=%p rbx=%p rcx=%p rdx=%p\n", (void *)f->rax, (void *)f->rbx, (void *)f->rcx, (void *)f->rdx);
	kprintf("  rsi=%p rdi=%p rbp=%p\n", (void *)f->rsi, (void *)f->rdi, (void *)f->rbp);
	if (backtrace_printer)
		backtrace_printer(f);
	else
		kprintf("  [<%p>] (faulting instruction)\n", (void *)f->rip);
}

void exception_dispatch(struct trap_frame *f);
void exception_dispatch(struct trap_frame *f)
{
	if (f->vector >= IRQ_FIRST_VECTOR) {
		if (interrupt_handler)
			interrupt_handler((uint8_t)f->vector);
		if (resume_filter && (f->cs & 3) == 0)
			resume_filter(f);
		return;
	}
	uint64_t cr2 = f->vector == 14 ? read_cr2() : 0;
	/* Ring 3 faulted: that process ends (never returns here). An NMI or
	 * a machine check is the machine's, not the program's. */
	if ((f->cs & 3) == 3 && f->vector != 2 && f->vector != 18 && user_fault_handler)
		user_fault_handler(f, cr2);
	/* A copy from or to user memory hit a bad user address: it ends
	 * early and says how much it did not copy (user_copy_raw). */
	if ((f->vector == 14 || f->vector == 13) && f->rip >= (uint64_t)user_copy_start &&
	    f->rip < (uint64_t)user_copy_end) {
		f->rip = (uint64_t)user_copy_fixup;
		return;
	}
	/* An NMI is the lockup watchdog's (irq_entry.c) or the machine's: it
	 * ends what it interrupted only if that ran with interrupts off (a
	 * loop no tick can reach); otherwise it is reported and ignored. */
	if (f->vector == 2 && (f->rflags & RFLAGS_IF)) {
		kprintf("NMI while interrupts were on (rip %p): ignored\n", (void *)f->rip);
		return;
	}
	if (fault_resumer && fault_resumer(f))
		return;
	struct fault_point *fp = fault_point_current;

	/* Every way on reports the fault; what a swap's window held goes out
	 * before it, and nothing after it is held (an unwind may leave the
	 * window early). */
	serial_hold(false);
	report(f, cr2);
	if (fp && !trap_fault_point_sound(fp, f->rsp)) {
		kprintf("  its recovery point was overwritten (resume %p, stack %p): the task cannot be unwound; "
			"ending it\n", (void *)fp->rip, (void *)fp->rsp);
		fault_point_current = NULL;
		if (abandon_handler)
			abandon_handler(f->vector); /* does not return when it could end the task */
		halt_kernel("a task that cannot be unwound, and none to end it");
	}
	/* A double fault is recovered too: it is what a stack overflow under a
	 * recovery point becomes, and the recovery point's frame lies higher
	 * on the same stack, intact. */
	if (fp) {
		kprintf("  recovered at the enclosing fault point\n");
		fp->vector = f->vector;
		fp->error_code = f->error_code;
		fp->fault_rip = f->rip;
		fp->fault_addr = cr2;
		fault_point_current = fp->prev;
		f->rbx = fp->rbx;
		f->rbp = fp->rbp;
		f->r12 = fp->r12;
		f->r13 = fp->r13;
		f->r14 = fp->r14;
		f->r15 = fp->r15;
		f->rsp = fp->rsp;
		f->rip = fp->rip;
		f->rflags = (f->rflags & ~RFLAGS_IF) | (fp->rflags & RFLAGS_IF);
		f->rax = f->vector + 1;
		return;
	}
	halt_kernel("unrecoverable exception in the nano-core");
}
