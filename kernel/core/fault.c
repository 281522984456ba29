/* The protected call (fault.h), the fault report every contained fault
 * gets, and the symbolized backtrace the trap layer prints. */
#include "fault.h"
#include "crate_env.h"
#include "export.h"
#include "stack_walk.h"
#include "arch/x86_64/trap.h"

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
	if (l && linker_locate(l, address, &at))
		ksnprintf(buf, cap, "%s %s+0x%lx", at.crate, at.function ? at.function : at.section, at.offset);
	else if (address >= (uint64_t)__text_start && address < (uint64_t)__text_end)
		ksnprintf(buf, cap, "nano_core+0x%lx", address - KERNEL_VMA);
	else
		ksnprintf(buf, cap, "%p", (void *)address);
}

static void fill_report(struct fault_report *r, const struct fault_point *fp)
{
	memset(r, 0, sizeof *r);
	r->vector = fp->vector;
	r->error_code = fp->error_code;
	r->rip = fp->fault_rip;
	r->address = fp->fault_addr;
	struct linker *l = crates_linker();
	struct linker_location at;
	if (l && linker_locate(l, fp->fault_rip, &at)) {
		copy_cstr(r->crate, sizeof r->crate, at.crate);
		copy_cstr(r->version, sizeof r->version, at.version);
		copy_cstr(r->function, sizeof r->function, at.function ? at.function : at.section);
		r->offset = at.offset;
	}
}

bool protected_call(struct crate_call *c, struct fault_report *fault)
{
	struct fault_point fp;
	if (!kfault_try(&fp, call_thunk, c))
		return true;
	c->result = STATUS(E_FAULT);
	if (fault)
		fill_report(fault, &fp);
	return false;
}

void fault_describe(const struct fault_report *f, char *buf, size_t cap)
{
	int n = ksnprintf(buf, cap, "exception %lu (%s)", f->vector, exception_name(f->vector));
	if (n < 0 || (size_t)n >= cap)
		return;
	if (f->crate[0])
		ksnprintf(buf + n, cap - (size_t)n, " in crate %s %s at %s+0x%lx", f->crate, f->version, f->function,
			  f->offset);
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
	fault_symbolize(rip, where, sizeof where);
	kprintf("  #%u [<%p>] %s%s\n", (*n)++, (void *)rip, where, interrupted ? " (interrupt entry)" : "");
	return false;
}

static void print_named_backtrace(void *p)
{
	const struct trap_frame *f = p;
	char where[160];
	fault_symbolize(f->rip, where, sizeof where);
	kprintf("  [<%p>] %s (faulting instruction)\n", (void *)f->rip, where);
	kprintf("backtrace:\n");
	unsigned n = 0;
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

void fault_reports_init(void) { trap_set_backtrace_printer(print_backtrace); }
