/* Calling into crates as applications, and crate faults: the protected
 * application call (the shell's run, tasks' spawn), recovery by restarting
 * the crate that faulted (boot option recover=restart), and fault
 * injection (kernel_crate_inject_fault). */
#include "crate_api.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "export.h"
#include "../arch/x86_64/trap.h"
#include <theseus/cpu.h>

struct app_call {
	uint64_t address;
	struct str args;
	struct status result;
};

static void call_app(void *arg)
{
	struct app_call *c = arg;
	struct status (*fn)(struct str) = (struct status (*)(struct str))c->address;
	c->result = fn(c->args);
}

/* Boot option recover=restart: a crate in which an application faults
 * is restarted at once (the paper's recovery by reloading the faulty
 * crate), so the next call finds clean code and fresh data. */
static bool recover_by_restart(void)
{
	static int mode = -1; /* not read yet */
	if (mode < 0) {
		char value[16];
		mode = cmdline_get(boot_info()->cmdline, "recover", value, sizeof value) && !strcmp(value, "restart");
	}
	return mode == 1;
}

static void restart_after_fault(const char *crate, struct crate_error *why)
{
	struct crate_error result;
	result.text[0] = '\0';
	struct status s = kernel_crate_restart((struct str){crate, strlen(crate)}, &result);
	kprintf("recover: crate %s faulted; %s%s\n", crate, status_ok(s) ? "restarted it" : "restarting it failed: ",
		status_ok(s) ? "" : result.text);
	if (why) {
		size_t used = strnlen(why->text, sizeof why->text);
		ksnprintf(why->text + used, sizeof why->text - used, status_ok(s) ? "; crate %s restarted"
						      : "; restarting crate %s failed", crate);
	}
}

KERNEL_EXPORT struct status kernel_call_app(struct str symbol, struct str args, struct crate_error *why)
{
	struct linker *l = need_linker(why);
	char cname[96];
	if (!l)
		return STATUS(E_NOENT);
	if (!str_to_cstr(symbol, cname, sizeof cname)) {
		explain(why, "symbol name too long");
		return STATUS(E_INVAL);
	}
	struct linker_symbol sym;
	struct link_error err;
	wait_for_linker(l);
	struct status s = linker_resolve(l, cname, LINKER_TAKE_REF, &sym, &err);
	if (status_ok(s)) {
		s = linker_check_call_type(l, sym.crate_id, cname, "linker_call_type_app", &err);
		if (!status_ok(s))
			(void)linker_ref_put(l, sym.crate_id);
	}
	if (!status_ok(s)) {
		explain_link(why, &err);
		return s;
	}
	struct app_call c = {sym.address, args, STATUS(E_FAULT)};
	struct fault_point fp;
	char faulted[48] = "";
	if (kfault_try(&fp, call_app, &c)) {
		uint32_t section;
		uint32_t at = linker_crate_of_address(l, fp.fault_rip, &section);
		if (at != LINKER_NO_CRATE)
			copy_cstr(faulted, sizeof faulted, crate_name_of(l, at));
		char text[200];
		ksnprintf(text, sizeof text, "%s faulted: exception %lu (%s) in crate %s", cname, fp.vector,
			  exception_name(fp.vector), faulted[0] ? faulted : "(none)");
		explain(why, text);
		c.result = STATUS(E_FAULT);
	}
	(void)linker_ref_put(l, sym.crate_id);
	if (faulted[0] && recover_by_restart())
		restart_after_fault(faulted, why);
	return c.result;
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
	struct status s = crate_request(crate, cname, sizeof cname, &l, why);
	if (!status_ok(s))
		return s;
	if (!str_to_cstr(symbol, sname, sizeof sname)) {
		explain(why, "symbol name too long");
		return STATUS(E_INVAL);
	}
	const struct loaded_crate *c = linker_crate(l, linker_crate_by_name(l, cname));
	if (!c) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	uint32_t index = find_export(c, sname);
	uint64_t address;
	uint32_t section;
	if (index == LINKER_NO_SECTION || !symbol_address(c, index, &address, &section)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s does not export %s", cname, sname);
		return STATUS(E_NOENT);
	}
	if (!in_crate_text(c, address)) {
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
