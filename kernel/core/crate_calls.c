/* Calling into crates as applications, and injecting faults: the
 * protected application call (the shell's run, tasks' spawn), whose
 * faults go to the fault service once the call has unwound, and
 * kernel_crate_inject_fault. */
#include "crate_api.h"
#include "export.h"
#include "fault.h"
#include "service_calls.h"
#include <theseus/cpu.h>
#include <theseus/faults.h>

/* The application's main, resolved with a strong reference and checked
 * to have the type it is called with. Out of line, as is the fault's
 * report below: the call itself runs with only the frames it needs on
 * the caller's stack (a fault service may restart a crate from there). */
static __attribute__((noinline)) struct status resolve_app(struct linker *l, const char *cname,
							   struct linker_symbol *sym, struct crate_error *why)
{
	struct link_error err;
	crates_wait_for_linker(l);
	struct status s = linker_resolve(l, cname, LINKER_TAKE_REF, sym, &err);
	if (status_ok(s)) {
		/* Called as struct status APP_main(struct str): a main of
		 * another type is not called. */
		s = linker_check_call_type(l, sym->crate_id, cname, linker_call_type_name(LINKER_CALL_APP), &err);
		if (!status_ok(s))
			(void)linker_ref_put(l, sym->crate_id);
	}
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}

static __attribute__((noinline)) void describe_app_fault(const char *cname, const struct fault_report *fault,
							 struct crate_error *why)
{
	char text[200];
	fault_describe(fault, text, sizeof text);
	ksnprintf(why->text, sizeof why->text, "%s faulted: %s%s%s", cname, text, fault->outcome[0] ? "; " : "",
		  fault->outcome);
}

KERNEL_EXPORT struct status kernel_call_app(struct str symbol, struct str args, struct crate_error *why)
{
	struct linker *l;
	char cname[96];
	struct status s = crate_request(symbol, cname, sizeof cname, &l, why);
	if (!status_ok(s))
		return s;
	/* The call's strong reference is tracked like a service call's: a
	 * task killed inside drops it (kernel_stack_discarded). */
	struct linker_symbol sym;
	s = resolve_app(l, cname, &sym, why);
	if (!status_ok(s))
		return s;
	struct crate_call c = {.shape = FN_STATUS_STR, .s = args};
	struct fault_report fault;
	s = symbol_call(&sym, &c, &fault);
	if (!c.address) { /* not called: its crate went away in between */
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s was unloaded before it could be called", cname);
		return s;
	}
	if (!c.faulted)
		return s;
	/* Policy (restart the crate, or leave it) is the fault service's. */
	struct crate_call notify = {.shape = FN_VOID_PTR, .p = &fault};
	(void)service_call(KERNEL_SERVICE_FAULT, &notify, NULL);
	if (why)
		describe_app_fault(cname, &fault, why);
	return STATUS(E_FAULT);
}
KEXPORT(kernel_call_app);

/* Arm a fault: the first byte of exported function SYMBOL of loaded crate
 * CRATE becomes int3 (one byte, so no task can be stopped inside the
 * patch), written through the frames' alias as a swap writes. The next
 * call faults; the fault is contained where the caller runs (kernel_call_app,
 * an interrupt handler call, a task). Restarting or swapping the crate
 * brings back clean code. */
KERNEL_EXPORT struct status kernel_crate_inject_fault(struct str crate, struct str symbol,
						      struct crate_error *why)
{
	struct linker *l;
	char cname[48], sname[96];
	uint32_t id;
	struct status s = loaded_crate_request(crate, cname, sizeof cname, &l, &id, why);
	if (!status_ok(s))
		return s;
	if (!text_to_cstr(symbol.ptr, symbol.len, sname, sizeof sname)) {
		explain(why, "symbol name too long");
		return STATUS(E_INVAL);
	}
	uint64_t address;
	if (!linker_export_address(l, id, sname, false, &address)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s does not export %s", cname, sname);
		return STATUS(E_NOENT);
	}
	if (!linker_text_contains(l, id, address)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s is not code", sname);
		return STATUS(E_INVAL);
	}
	static const uint8_t int3 = 0xCC;
	bool irq = cpu_irq_save();
	s = l->env.patch ? l->env.patch(l->env.ctx, address, &int3, 1) : STATUS(E_NOSYS);
	cpu_irq_restore(irq);
	if (why)
		ksnprintf(why->text, sizeof why->text, status_ok(s) ? "the next call of %s faults" : "cannot patch %s",
			  sname);
	return s;
}
KEXPORT(kernel_crate_inject_fault);

KERNEL_EXPORT struct status kernel_crate_repair(struct str crate, uint64_t *changed, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	uint32_t id;
	*changed = 0;
	struct status s = loaded_crate_request(crate, cname, sizeof cname, &l, &id, why);
	if (!status_ok(s))
		return s;
	bool irq = cpu_irq_save();
	s = fault_repair_crate(l, id, changed);
	if (status_ok(s) && *changed)
		fault_watch_repaired(l);
	cpu_irq_restore(irq);
	if (why && status_ok(s))
		ksnprintf(why->text, sizeof why->text, "%lu bytes of code repaired", *changed);
	else if (why)
		ksnprintf(why->text, sizeof why->text, "cannot repair %s", cname);
	return s;
}
KEXPORT(kernel_crate_repair);

KERNEL_EXPORT struct status kernel_crate_repair_next(uint32_t *cursor, uint64_t *changed, struct crate_error *why)
{
	struct linker *l = crates_linker();
	*changed = 0;
	if (!l)
		return STATUS(E_NOENT);
	bool irq = cpu_irq_save();
	/* The cursor is the id after the last one visited (0: none yet).
	 * Retired crates are patrolled too: tasks still run their code. */
	uint32_t id = linker_next_placed(l, *cursor ? *cursor - 1 : LINKER_NO_CRATE);
	struct status s = STATUS(E_NOENT);
	if (id != LINKER_NO_CRATE) {
		*cursor = id + 1;
		s = fault_repair_crate(l, id, changed);
		if (status_ok(s) && *changed)
			fault_watch_repaired(l);
		if (why)
			copy_cstr(why->text, sizeof why->text, linker_crate_name(l, id));
	}
	cpu_irq_restore(irq);
	return s;
}
KEXPORT(kernel_crate_repair_next);
