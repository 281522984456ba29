/* The protected call (fault.h), the fault report every contained fault
 * gets, and the symbolized backtrace the trap layer prints. */
#include "fault.h"
#include "crate_env.h"
#include "export.h"
#include "frames.h"
#include "irq_entry.h"
#include "kernel_symbols.h"
#include "service_calls.h"
#include "stack_walk.h"
#include "arch/x86_64/trap.h"
#include <theseus/cpu.h>
#include <theseus/faults.h>

static enum kernel_fault_mode fault_mode = KERNEL_FAULT_UNWIND;

/* The contained faults, for the policy crate (kernel_fault_events). */
#define FAULT_EVENTS 32
static struct {
	struct fault_event ring[FAULT_EVENTS];
	uint64_t seq; /* events ever */
} events;
/* Code bytes the exception handler repaired on its way to unwinding the
 * fault the next protected_call reports. */
static uint64_t repaired_before_unwind;

static void call_thunk(void *p)
{
	struct crate_call *c = p;
	switch (c->shape) {
	case FN_STATUS_VOID:
		c->result = ((struct status (*)(void))c->address)();
		break;
	case FN_STATUS_STR:
		c->result = ((struct status (*)(struct str))c->address)(c->s);
		break;
	case FN_STATUS_U32:
		c->result = ((struct status (*)(uint32_t))c->address)((uint32_t)c->a);
		break;
	case FN_VOID_U8:
		((void (*)(uint8_t))c->address)((uint8_t)c->a);
		c->result = STATUS_OK;
		break;
	case FN_VOID_U64:
		((void (*)(uint64_t))c->address)(c->a);
		c->result = STATUS_OK;
		break;
	case FN_BOOL_U64_U64:
		c->truth = ((bool (*)(uint64_t, uint64_t))c->address)(c->a, c->b);
		c->result = STATUS_OK;
		break;
	case FN_VOID_PTR:
		((void (*)(void *))c->address)(c->p);
		c->result = STATUS_OK;
		break;
	}
}

void fault_symbolize(uint64_t address, char *buf, size_t cap)
{
	struct linker *l = crates_linker();
	struct linker_location at;
	const char *name;
	uint64_t offset;
	if (l && linker_locate(l, address, &at))
		ksnprintf(buf, cap, "%s %s+0x%lx", at.crate, at.function ? at.function : at.section, at.offset);
	else if (kernel_symbol_of(address, &name, &offset))
		ksnprintf(buf, cap, "nano_core %s+0x%lx", name, offset);
	else if (address >= (uint64_t)__text_start && address < (uint64_t)__text_end)
		ksnprintf(buf, cap, "nano_core+0x%lx", address - KERNEL_VMA);
	else
		ksnprintf(buf, cap, "%p", (void *)address);
}

/* A backtrace frame: fault_symbolize's words with the crate's version,
 * "hello 1.0.0 hello_main+0x1", since after a swap or a push the same
 * crate name may be running another version than the boot archive's. */
static void symbolize_frame(uint64_t address, char *buf, size_t cap)
{
	struct linker *l = crates_linker();
	struct linker_location at;
	if (l && linker_locate(l, address, &at))
		ksnprintf(buf, cap, "%s %s %s+0x%lx", at.crate, at.version, at.function ? at.function : at.section,
			  at.offset);
	else
		fault_symbolize(address, buf, cap);
}

/* Is `address` the first instruction of a function (crate or nano-core)?
 * There the frame is not set up yet: the return address is at the top of
 * the stack, and the frame-pointer chain starts at the caller's caller. */
static bool at_function_entry(uint64_t address)
{
	struct linker *l = crates_linker();
	struct linker_location at;
	const char *name;
	uint64_t offset;
	if (l && linker_locate(l, address, &at))
		return at.function && at.offset == 0;
	return kernel_symbol_of(address, &name, &offset) && offset == 0;
}

static struct fault_event *new_event(uint64_t vector, uint64_t rip, enum fault_outcome outcome, uint64_t repaired,
				     bool in_interrupt)
{
	struct fault_event *e = &events.ring[events.seq % FAULT_EVENTS];
	memset(e, 0, sizeof *e);
	e->seq = ++events.seq;
	e->vector = vector;
	e->rip = rip;
	e->outcome = outcome;
	e->repaired_bytes = repaired;
	e->in_interrupt = in_interrupt;
	return e;
}

/* Where the task was when abort_code_repaired_under_it sent it to
 * trap_abort_resumed_code: its report names that place. */
static uint64_t aborted_at;

static void fill_report(struct fault_report *r, const struct fault_point *fp)
{
	memset(r, 0, sizeof *r);
	r->vector = fp->vector;
	r->error_code = fp->error_code;
	r->rip = fp->fault_rip == (uint64_t)trap_abort_resumed_code && aborted_at ? aborted_at : fp->fault_rip;
	r->address = fp->fault_addr;
	struct linker *l = crates_linker();
	struct linker_location at;
	if (l && linker_locate(l, r->rip, &at)) {
		copy_cstr(r->crate, sizeof r->crate, at.crate);
		copy_cstr(r->version, sizeof r->version, at.version);
		copy_cstr(r->function, sizeof r->function, at.function ? at.function : at.section);
		r->offset = at.offset;
	}
}

/* Out of line, so that the report's room is taken only when a fault
 * happened: protected calls nest (an interrupt's handler call inside a
 * task's call) and every byte of their frames is on the task's stack. */
static __attribute__((noinline)) void record_unwound_fault(struct crate_call *c, struct fault_report *fault,
							   const struct fault_point *fp);

bool protected_call(struct crate_call *c, struct fault_report *fault)
{
	struct fault_point fp;
	c->faulted = false;
	struct preemption_state was = preemption_now();
	if (!kfault_try(&fp, call_thunk, c))
		return true;
	preemption_unwind(was);
	record_unwound_fault(c, fault, &fp);
	return false;
}

static void record_unwound_fault(struct crate_call *c, struct fault_report *fault, const struct fault_point *fp)
{
	c->result = STATUS(E_FAULT);
	c->faulted = true;
	struct fault_report local;
	struct fault_report *r = fault ? fault : &local;
	fill_report(r, fp);
	bool irq = cpu_irq_save();
	struct fault_event *e = new_event(fp->vector, r->rip, FAULT_UNWOUND, repaired_before_unwind,
					  c->in_interrupt);
	repaired_before_unwind = 0;
	copy_cstr(e->crate, sizeof e->crate, r->crate);
	copy_cstr(e->version, sizeof e->version, r->version);
	copy_cstr(e->function, sizeof e->function, r->function);
	e->offset = r->offset;
	cpu_irq_restore(irq);
}

void fault_describe(const struct fault_report *f, char *buf, size_t cap)
{
	int n = ksnprintf(buf, cap, "exception %lu (%s)", f->vector, exception_name(f->vector));
	if (n < 0 || (size_t)n >= cap)
		return;
	const char *name;
	uint64_t offset;
	if (f->crate[0])
		ksnprintf(buf + n, cap - (size_t)n, " in crate %s %s at %s+0x%lx", f->crate, f->version, f->function,
			  f->offset);
	else if (kernel_symbol_of(f->rip, &name, &offset))
		ksnprintf(buf + n, cap - (size_t)n, " in the nano-core at %s+0x%lx", name, offset);
	else
		ksnprintf(buf + n, cap - (size_t)n, " at %p, in no crate", (void *)f->rip);
}

KERNEL_EXPORT struct status kernel_run_protected(task_entry_fn fn, uint64_t arg, struct fault_report *report)
{
	struct crate_call c = {.address = (uint64_t)fn, .shape = FN_VOID_U64, .a = arg};
	return protected_call(&c, report) ? STATUS_OK : STATUS(E_FAULT);
}
KEXPORT(kernel_run_protected);

static bool print_frame(void *ctx, uint64_t rip, const struct trap_frame *interrupted)
{
	unsigned *n = ctx;
	char where[160];
	symbolize_frame(rip, where, sizeof where);
	kprintf("  #%u [<%p>] %s%s\n", (*n)++, (void *)rip, where, interrupted ? " (interrupt entry)" : "");
	return false;
}

static void print_named_backtrace(void *p)
{
	const struct trap_frame *f = p;
	char where[160];
	symbolize_frame(f->rip, where, sizeof where);
	kprintf("  [<%p>] %s (faulting instruction)\n", (void *)f->rip, where);
	kprintf("backtrace:\n");
	unsigned n = 0;
	/* int3 traps with RIP past it: the instruction is one byte back. */
	uint64_t at = f->vector == 3 ? f->rip - 1 : f->rip;
	if (at_function_entry(at))
		(void)print_frame(&n, *(const uint64_t *)f->rsp, NULL);
	(void)stack_walk(f->rbp, 0, 0, 16, print_frame, &n);
}

/* Reading the linker's records may itself fault (an unload this
 * exception cut into is freeing them): that ends the report, nothing
 * more. */
static void print_backtrace(const struct trap_frame *f)
{
	static bool printing; /* a fault inside the report gets a bare one */
	if (printing) {
		kprintf("  [<%p>] (faulting instruction)\n", (void *)f->rip);
		return;
	}
	printing = true;
	struct fault_point fp;
	if (kfault_try(&fp, print_named_backtrace, (void *)f))
		kprintf("  (the report faulted; cut short)\n");
	printing = false;
}

/* ---- repair and resume ------------------------------------------------ */

/* Big enough for the largest code or read-only section of a crate. */
#define REPAIR_SCRATCH_PAGES 32
static uint8_t *repair_scratch;

struct status fault_repair_crate(struct linker *l, uint32_t id, uint64_t *changed)
{
	struct link_error err;
	*changed = 0;
	if (!repair_scratch)
		return STATUS(E_NOMEM);
	return linker_repair(l, id, repair_scratch, REPAIR_SCRATCH_PAGES * PAGE_SIZE, changed, &err);
}

static uint64_t repair_crate(struct linker *l, uint32_t id)
{
	uint64_t changed = 0;
	return id != LINKER_NO_CRATE && status_ok(fault_repair_crate(l, id, &changed)) ? changed : 0;
}

/* Every loaded crate but `skip`, repaired: code corrupted anywhere may have
 * sent control astray before anything trapped (a flipped call target, a
 * broken prologue leaves no frame to follow), and the code that runs after
 * the unwind (the caller's error path, the task's exit, the report) must
 * find it intact. Bytes changed. */
static uint64_t scrub_all(struct linker *l, uint32_t skip, unsigned *crates)
{
	uint64_t changed = 0;
	*crates = 0;
	for (uint32_t id = linker_next_loaded(l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
	     id = linker_next_loaded(l, id)) {
		uint64_t n = id == skip ? 0 : repair_crate(l, id);
		changed += n;
		*crates += n != 0;
	}
	return changed;
}

/* The most an x86 instruction spans. */
#define INSN_MAX 15

/* The trap layer asks before unwinding: is the fault's cause corrupt
 * code? The faulting crate's code is rebuilt from its image; when all it
 * had wrong lay in the bytes from the faulting instruction on (an injected
 * breakpoint, a flipped bit there), nothing corrupt has run yet and the
 * instruction runs again. Otherwise corrupt code may already have run
 * (anywhere: a bad jump needs no frame): every crate is repaired and the
 * fault unwinds to its recovery point. */
static bool repair_and_resume(struct trap_frame *f)
{
	/* A double fault is often an interrupt the CPU could not deliver
	 * (its push faulted on a corrupt stack): end what it left in service,
	 * or that line stays dead after the unwind. */
	if (f->vector == 8) {
		unsigned ended = irq_entry_end_stale();
		if (ended)
			kprintf("fault: ended %u interrupt(s) left in service by the double fault\n", ended);
	}
	struct linker *l = crates_linker();
	/* An NMI that gets here is the lockup watchdog's (the trap layer
	 * ignores the others): code looping with interrupts off, likely
	 * corrupt, so it is repaired like any fault. */
	if (fault_mode != KERNEL_FAULT_REPAIR_AND_RESUME || !l || f->vector == 18)
		return false;
	/* int3 traps: RIP is past it, at a byte the repair may change. */
	uint64_t at = f->vector == 3 ? f->rip - 1 : f->rip;
	uint32_t id = linker_crate_of_address(l, at);
	uint8_t before[INSN_MAX];
	size_t window = 0;
	while (id != LINKER_NO_CRATE && window < INSN_MAX && linker_text_contains(l, id, at + window))
		window++;
	memcpy(before, (const void *)at, window);
	uint64_t changed = repair_crate(l, id);
	uint64_t in_window = 0;
	for (size_t i = 0; i < window; i++)
		in_window += before[i] != ((const uint8_t *)at)[i];
	char where[160];
	/* A double fault cannot be resumed (its state is lost); it is often a
	 * corrupt stack adjustment, and unwinds after the scrub below. */
	if (changed && in_window == changed && f->vector != 8) {
		fault_symbolize(at, where, sizeof where);
		kprintf("fault: exception %lu (%s) at %s: %lu bytes of its code differed from the crate's image; "
			"repaired and resumed\n",
			f->vector, exception_name(f->vector), where, changed);
		struct linker_location loc;
		struct fault_event *e = new_event(f->vector, at, FAULT_RESUMED, changed, false);
		if (linker_locate(l, at, &loc)) {
			copy_cstr(e->crate, sizeof e->crate, loc.crate);
			copy_cstr(e->version, sizeof e->version, loc.version);
			copy_cstr(e->function, sizeof e->function, loc.function ? loc.function : loc.section);
			e->offset = loc.offset;
		}
		f->rip = at;
		return true;
	}
	unsigned crates = 0;
	uint64_t elsewhere = scrub_all(l, id, &crates);
	repaired_before_unwind = changed + elsewhere;
	if (repaired_before_unwind)
		kprintf("fault: %lu bytes of code differed from the crates' images (%u crates); repaired before "
			"unwinding\n",
			repaired_before_unwind, crates + (changed != 0));
	return false;
}

/* Code the scrubber repaired may have been running when it was corrupt:
 * a flipped loop bound or jump that never traps keeps a task looping on
 * (the campaign's runaway loops), and repairing the bytes does not mend
 * its registers. For the next REPAIRED_WATCH_INTERRUPTS interrupts, a
 * task interrupted inside the repaired functions resumes into a fault
 * instead, which unwinds its call like any other (reported, the task's
 * recovery point decides). A task that merely entered them afresh in that
 * window is unwound too: a failed call, not a hang. */
#define REPAIRED_WATCH_INTERRUPTS 300u
static struct {
	uint64_t lo, hi;
	unsigned left;
} repaired_watch;

void fault_watch_repaired(struct linker *l)
{
	uint64_t lo = l->repaired_lo, hi = l->repaired_hi;
	if (lo >= hi)
		return;
	/* Widen to the functions the changed bytes lie in: the loop's other
	 * instructions are where the task is likely interrupted. */
	struct linker_location at;
	if (linker_locate(l, lo, &at) && at.function && at.function_size)
		lo -= at.offset;
	if (linker_locate(l, hi - 1, &at) && at.function && at.function_size)
		hi = hi - 1 - at.offset + at.function_size;
	bool irq = cpu_irq_save();
	repaired_watch.lo = lo;
	repaired_watch.hi = hi;
	repaired_watch.left = REPAIRED_WATCH_INTERRUPTS;
	cpu_irq_restore(irq);
}

static void abort_code_repaired_under_it(struct trap_frame *f)
{
	if (!repaired_watch.left)
		return;
	repaired_watch.left--;
	if (f->rip < repaired_watch.lo || f->rip >= repaired_watch.hi)
		return;
	char where[160];
	fault_symbolize(f->rip, where, sizeof where);
	kprintf("fault: a task was interrupted in %s, code repaired since it may have run corrupt; "
		"its call is unwound\n",
		where);
	aborted_at = f->rip;
	f->rip = (uint64_t)trap_abort_resumed_code;
}

KERNEL_EXPORT void kernel_fault_mode_set(enum kernel_fault_mode mode)
{
	if (mode == KERNEL_FAULT_UNWIND || mode == KERNEL_FAULT_REPAIR_AND_RESUME)
		fault_mode = mode;
}
KEXPORT(kernel_fault_mode_set);

KERNEL_EXPORT size_t kernel_fault_events(uint64_t after, struct fault_event *out, size_t cap)
{
	bool irq = cpu_irq_save();
	uint64_t first = events.seq > FAULT_EVENTS ? events.seq - FAULT_EVENTS + 1 : 1;
	if (after + 1 > first)
		first = after + 1;
	size_t n = 0;
	for (uint64_t seq = first; seq <= events.seq && n < cap; seq++)
		out[n++] = events.ring[(seq - 1) % FAULT_EVENTS];
	cpu_irq_restore(irq);
	return n;
}
KEXPORT(kernel_fault_events);

/* The trap layer's last resort (trap_set_abandon_handler): the task
 * crate ends the current task for good. Returns only when it could not. */
static void abandon_current_task(uint64_t vector)
{
	struct crate_call c = {.shape = FN_VOID_U64, .a = vector};
	(void)service_call(KERNEL_SERVICE_ABANDON, &c, NULL);
}

void fault_reports_init(void)
{
	trap_set_backtrace_printer(print_backtrace);
	struct frame_result scratch = frames_alloc_contig(REPAIR_SCRATCH_PAGES);
	if (scratch.err == E_OK)
		repair_scratch = phys_to_virt(scratch.value);
	trap_set_fault_resumer(repair_and_resume);
	trap_set_abandon_handler(abandon_current_task);
	trap_set_resume_filter(abort_code_repaired_under_it);
}
