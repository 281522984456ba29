/* Interrupt entry: vectors 32..255 reach irq_dispatch(), which calls the
 * dispatcher service (KERNEL_SERVICE_IRQ_DISPATCH); the handler references
 * of theseus/irq.h are linker named references held by crates. Both are
 * called through named_call (service_calls.c): upgraded for each call,
 * re-resolved by name when their crate was replaced, never loading one
 * from interrupt context. */
#include "irq_entry.h"
#include "crate_env.h"
#include "export.h"
#include "service_calls.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/trap.h"
#include <theseus/cpu.h>
#include <theseus/preemption.h>

static struct irq_entry_stats entry_stats;

/* A crate holds a sealed irq_handler_ref; it is a named reference with the
 * same fields, kept apart so that crates never see the linker's header,
 * and used in place (the nano-core is built with -fno-strict-aliasing). */
_Static_assert(sizeof(struct irq_handler_ref) == sizeof(struct linker_named_ref), "irq_handler_ref layout");
_Static_assert(offsetof(struct irq_handler_ref, address) == offsetof(struct linker_named_ref, address),
	       "irq_handler_ref layout");
_Static_assert(IRQ_REF_BOUND == LINKER_REF_BOUND && IRQ_REF_PROVISIONAL == LINKER_REF_PROVISIONAL,
	       "irq_handler_ref flags");

static struct linker_named_ref *as_named(struct irq_handler_ref *ref)
{
	return (struct linker_named_ref *)ref;
}

static void report_fault(const char *what, uint8_t arg, const struct fault_report *f)
{
	char why[200];
	fault_describe(f, why, sizeof why);
	kprintf("irq: %s(%u) faulted: %s; the call was abandoned\n", what, arg, why);
}

/* The hard-lockup watchdog: QEMU's ib700 (launch.py adds it, with
 * -action watchdog=inject-nmi). Every interrupt delivered proves that
 * interrupts were on; one in 256 restarts its countdown, so an NMI comes
 * only after IB700_SECONDS without any (code looping with interrupts off,
 * which nothing tick-driven can end). The trap layer unwinds what the NMI
 * interrupts, if interrupts were off there (idt.c). The first interrupt
 * arms it; without the device the port writes go nowhere. */
#define IB700_START_PORT 0x443
#define IB700_TEN_SECONDS 10 /* the device's table: 30 - 2 * value seconds */

static void watchdog_pet(void)
{
	if ((entry_stats.entered & 255) == 1)
		outb(IB700_START_PORT, IB700_TEN_SECONDS);
}

/* theseus/preemption.h: holds not yet released, interrupt dispatches in
 * progress, and interrupts whose switch waits for the last release. */
static struct cpu_preemption preemption;

KERNEL_EXPORT struct cpu_preemption *kernel_preemption_record(void) { return &preemption; }
KEXPORT(kernel_preemption_record);

static void preempt_now(uint8_t vector)
{
	preemption.deferred = 0;
	struct crate_call p = {.shape = FN_STATUS_VOID, .in_interrupt = true};
	struct fault_report fault;
	(void)service_call(KERNEL_SERVICE_PREEMPT, &p, &fault);
	if (p.faulted)
		report_fault("the preemption service", vector, &fault);
}

/* Is the switch to wait for a release? Not past PREEMPT_HOLD_LIMIT
 * interrupts: a hold that long is a task looping inside one, and it is
 * dropped rather than let that task keep the CPU. */
static bool preemption_held(void)
{
	if (!preemption.holds)
		return false;
	if (preemption.deferred < PREEMPT_HOLD_LIMIT) {
		preemption.deferred++;
		return true;
	}
	entry_stats.holds_dropped++;
	kprintf("irq: preemption held through %u interrupts: the hold is dropped\n", PREEMPT_HOLD_LIMIT);
	preemption.holds = 0;
	return false;
}

KERNEL_EXPORT void kernel_preempt_deferred(void)
{
	if (preemption.irq_depth)
		return; /* the dispatch's end makes the switch */
	bool irq = cpu_irq_save();
	if (!preemption.holds && preemption.deferred)
		preempt_now(0);
	cpu_irq_restore(irq);
}
KEXPORT(kernel_preempt_deferred);

void preemption_unwind(struct preemption_state was)
{
	preemption.holds = was.holds;
	preemption.irq_depth = was.irq_depth;
}

struct preemption_state preemption_now(void) { return (struct preemption_state){preemption.holds, preemption.irq_depth}; }

static void irq_dispatch(uint8_t vector)
{
	entry_stats.entered++;
	watchdog_pet();
	struct crate_call c = {.shape = FN_VOID_U8, .a = vector, .in_interrupt = true};
	struct fault_report fault;
	preemption.irq_depth++;
	struct status st = service_call(KERNEL_SERVICE_IRQ_DISPATCH, &c, &fault);
	preemption.irq_depth--;
	if (c.faulted) {
		entry_stats.dispatcher_faults++;
		report_fault("the dispatcher", vector, &fault);
		/* It may have faulted before acknowledging the interrupt: do it
		 * here (a non-specific end of interrupt to both 8259s; nothing
		 * else is in service, handlers run after the dispatcher's own),
		 * so that one broken dispatch cannot leave every line dead. */
		outb(0xA0, 0x20);
		outb(0x20, 0x20);
	} else if (!status_ok(st)) {
		entry_stats.unrouted++;
	}
	/* The switch a handler asked for happens here, out of the
	 * dispatcher's frames - or, while the interrupted task holds
	 * preemption, when it releases the last hold. */
	if (preemption_held())
		return;
	preempt_now(vector);
}

/* The in-service register of the 8259 at `command` (OCW3 "read ISR"). */
static uint8_t pic_in_service(uint16_t command)
{
	outb(command, 0x0B);
	uint8_t isr = inb(command);
	outb(command, 0x0A); /* back to reading the request register */
	return isr;
}

unsigned irq_entry_end_stale(void)
{
	unsigned ended = 0;
	/* A non-specific EOI ends the highest-priority line in service. */
	for (int i = 0; i < 8 && pic_in_service(0xA0); i++, ended++)
		outb(0xA0, 0x20);
	for (int i = 0; i < 8 && pic_in_service(0x20); i++, ended++)
		outb(0x20, 0x20);
	return ended;
}

void irq_entry_init(void)
{
	/* The BIOS left the PICs delivering on vectors 8..15, which are CPU
	 * exceptions: mask every line until a crate remaps them. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	trap_set_interrupt_handler(irq_dispatch);
}

KERNEL_EXPORT struct str kernel_irq_handler_symbol(const struct irq_handler_ref *ref)
{
	struct linker *l = crates_linker();
	const char *name = l && ref ? linker_named_ref_name(l, as_named((struct irq_handler_ref *)ref)) : NULL;
	return name ? (struct str){name, strlen(name)} : STR_EMPTY;
}
KEXPORT(kernel_irq_handler_symbol);

KERNEL_EXPORT struct status kernel_irq_handler_bind(struct str symbol, struct irq_handler_ref *out)
{
	struct linker *l = crates_linker();
	char name[IRQ_SYMBOL_MAX];
	if (!out || symbol.len == 0 || !text_to_cstr(symbol.ptr, symbol.len, name, sizeof name))
		return STATUS(E_INVAL);
	if (!l)
		return STATUS(E_NOENT);
	struct link_error err;
	struct status st = linker_named_ref_bind(l, name, LINKER_CALL_IRQ, as_named(out), &err);
	if (!status_ok(st)) {
		if (st.err != E_NOENT && st.err != E_INVAL) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kprintf("irq: cannot bind %s: %s\n", name, why);
		}
	}
	return st;
}
KEXPORT(kernel_irq_handler_bind);

KERNEL_EXPORT struct status kernel_irq_handler_call(struct irq_handler_ref *ref, uint8_t arg)
{
	if (!ref)
		return STATUS(E_INVAL);
	bool enabled = cpu_irq_save();
	struct crate_call c = {.shape = FN_VOID_U8, .a = arg, .in_interrupt = true};
	struct fault_report fault;
	struct status st = named_call(as_named(ref), &c, &fault);
	if (c.faulted) {
		entry_stats.handler_faults++;
		struct linker *l = crates_linker();
		const char *name = l ? linker_named_ref_name(l, as_named(ref)) : NULL;
		report_fault(name ? name : "?", arg, &fault);
	}
	cpu_irq_restore(enabled);
	return st;
}
KEXPORT(kernel_irq_handler_call);

KERNEL_EXPORT void kernel_irq_entry_stats(struct irq_entry_stats *out)
{
	bool enabled = cpu_irq_save();
	*out = entry_stats;
	cpu_irq_restore(enabled);
}
KEXPORT(kernel_irq_entry_stats);
