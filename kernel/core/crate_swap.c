/* Live evolution's mechanism: handles on crates (loaded, archived, pushed
 * from the host, fresh copies) and the one swap primitive, which applies
 * a plan when the crate to replace is quiescent. How to swap (which hooks,
 * how long to wait, what to log, restarts, pushes) is the evolution
 * crate's; see docs/live-update.md. */
#include "crate_api.h"
#include "export.h"
#include "fault.h"
#include "kheap.h"
#include "service_calls.h"
#include "stack_walk.h"
#include "arch/x86_64/x86.h"
#include <theseus/cpu.h>
#include <theseus/preemption.h>

static struct status make_handle(struct linker *l, uint32_t id, struct crate_handle *out,
				 struct crate_error *why)
{
	struct linker_crate_stats st;
	if (id == LINKER_NO_CRATE || !status_ok(linker_crate_stats(l, id, &st))) {
		explain(why, "no such crate");
		return STATUS(E_NOENT);
	}
	*out = (struct crate_handle){id, st.generation};
	return STATUS_OK;
}

/* The linker and the id behind a handle, or E_STALE when the crate was
 * unloaded or replaced since the handle was made. */
static struct status handle_id(const struct crate_handle *h, struct linker **l, uint32_t *id,
			       struct crate_error *why)
{
	struct linker_crate_stats st;
	*l = crates_linker();
	if (!*l || !h || !status_ok(linker_crate_stats(*l, h->id, &st)) || st.generation != h->generation) {
		explain(why, "the crate changed since it was named (unloaded, replaced or dropped)");
		return STATUS(E_STALE);
	}
	*id = h->id;
	return STATUS_OK;
}

KERNEL_EXPORT struct status kernel_crate_find(struct str name, struct crate_handle *out, struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status s = crate_request(name, cname, sizeof cname, &l, why);
	return status_ok(s) ? make_handle(l, linker_crate_serving(l, cname), out, why) : s;
}
KEXPORT(kernel_crate_find);

KERNEL_EXPORT struct status kernel_crate_find_archived(struct str name, struct crate_handle *out,
						       struct crate_error *why)
{
	struct linker *l;
	char cname[48];
	struct status s = crate_request(name, cname, sizeof cname, &l, why);
	return status_ok(s) ? make_handle(l, archive_find_crate(&l->archive, cname), out, why) : s;
}
KEXPORT(kernel_crate_find_archived);

KERNEL_EXPORT struct status kernel_crate_add_pushed(struct str image, struct crate_handle *out,
						    struct crate_error *why)
{
	struct linker *l = crates_linker();
	if (!l) {
		explain(why, "no crate archive was loaded at boot");
		return STATUS(E_NOENT);
	}
	uint32_t id;
	struct link_error err;
	crates_wait_for_linker(l);
	bool irq = cpu_irq_save(); /* adding may move the slot table that interrupt handlers read */
	struct status s = linker_add_pushed(l, image.ptr, image.len, &id, &err);
	cpu_irq_restore(irq);
	if (!status_ok(s)) {
		explain_link(why, &err);
		return s;
	}
	return make_handle(l, id, out, why);
}
KEXPORT(kernel_crate_add_pushed);

KERNEL_EXPORT struct status kernel_crate_add_copy(const struct crate_handle *of, struct crate_handle *out,
						  struct crate_error *why)
{
	struct linker *l;
	uint32_t id, copy;
	struct status s = handle_id(of, &l, &id, why);
	if (!status_ok(s))
		return s;
	struct link_error err;
	crates_wait_for_linker(l);
	bool irq = cpu_irq_save();
	s = linker_add_copy(l, id, &copy, &err);
	cpu_irq_restore(irq);
	if (!status_ok(s)) {
		explain_link(why, &err);
		return s;
	}
	return make_handle(l, copy, out, why);
}
KEXPORT(kernel_crate_add_copy);

KERNEL_EXPORT struct status kernel_crate_drop(const struct crate_handle *h)
{
	struct linker *l;
	uint32_t id;
	struct status s = handle_id(h, &l, &id, NULL);
	if (!status_ok(s))
		return s;
	if (!linker_is_added(l, id))
		return STATUS(E_INVAL);
	bool irq = cpu_irq_save();
	s = linker_forget_pushed(l, id);
	cpu_irq_restore(irq);
	return s;
}
KEXPORT(kernel_crate_drop);

KERNEL_EXPORT struct status kernel_crate_describe(const struct crate_handle *h, struct crate_summary *out)
{
	struct linker *l;
	uint32_t id;
	struct status s = handle_id(h, &l, &id, NULL);
	return status_ok(s) && !crate_summarize(l, id, out) ? STATUS(E_NOENT) : s;
}
KEXPORT(kernel_crate_describe);

KERNEL_EXPORT bool kernel_crate_has_export(const struct crate_handle *h, struct str symbol)
{
	struct linker *l;
	uint32_t id;
	char name[96];
	return status_ok(handle_id(h, &l, &id, NULL)) && text_to_cstr(symbol.ptr, symbol.len, name, sizeof name) &&
	       linker_crate_exports_symbol(l, id, name);
}
KEXPORT(kernel_crate_has_export);

KERNEL_EXPORT struct status kernel_crate_load_handle(const struct crate_handle *h, struct crate_error *why)
{
	struct linker *l;
	uint32_t id;
	struct status s = handle_id(h, &l, &id, why);
	if (!status_ok(s))
		return s;
	struct link_error err;
	crates_wait_for_linker(l);
	s = linker_load_id(l, id, &err);
	if (!status_ok(s))
		explain_link(why, &err);
	return s;
}
KEXPORT(kernel_crate_load_handle);

struct in_crate {
	struct linker *l;
	uint32_t id;
};

static bool return_into(void *ctx, uint64_t rip, const struct trap_frame *interrupted)
{
	(void)interrupted;
	const struct in_crate *c = ctx;
	return linker_text_contains(c->l, c->id, rip);
}

static bool on_stack(struct linker *l, uint32_t id)
{
	struct in_crate c = {l, id};
	return stack_walk(stack_current_rbp(), 0, 0, 64, return_into, &c);
}

KERNEL_EXPORT bool kernel_crate_on_stack(const struct crate_handle *h)
{
	struct linker *l;
	uint32_t id;
	return status_ok(handle_id(h, &l, &id, NULL)) && on_stack(l, id);
}
KEXPORT(kernel_crate_on_stack);

/* Another task executing in a code range: the stacks service answers. */
struct text_search {
	bool found;
};

static void ask_stacks(void *ctx, uint64_t lo, uint64_t hi)
{
	struct text_search *t = ctx;
	struct crate_call c = {.shape = FN_BOOL_U64_U64, .a = lo, .b = hi};
	if (!t->found && status_ok(service_call(KERNEL_SERVICE_STACKS_IN, &c, NULL)))
		t->found = c.truth;
}

/* What keeps OLD from being replaced right now, or NULL. Interrupts off.
 * A crate to retire needs only the linker: its tasks run on in it. */
static const char *not_quiescent(struct linker *l, uint32_t old, bool retire, char *buf, size_t cap)
{
	struct linker_crate_stats st;
	if (l->busy)
		return "the linker is busy with another request";
	if (retire)
		return NULL;
	if (status_ok(linker_crate_stats(l, old, &st)) && st.refcount) {
		ksnprintf(buf, cap, "%u strong references to it remain", st.refcount);
		return buf;
	}
	struct text_search t = {false};
	linker_for_each_text(l, old, ask_stacks, &t);
	return t.found ? "a task executes in it" : NULL;
}

/* Run hook `name` of loaded crate `id` (the shape says how). */
static struct status run_hook(struct linker *l, uint32_t id, const char *name, enum crate_fn_shape shape,
			      uint32_t arg, struct crate_error *why)
{
	uint64_t address;
	if (!name[0])
		return STATUS_OK;
	if (!linker_export_address(l, id, name, true, &address)) {
		if (why)
			ksnprintf(why->text, sizeof why->text, "%s does not export the hook %s", linker_crate_name(l, id),
				  name);
		return STATUS(E_NOENT);
	}
	/* A hook of another type than it is called with is not called. */
	struct link_error err;
	enum linker_call_type type = shape == FN_STATUS_U32 ? LINKER_CALL_MIGRATE : LINKER_CALL_STATUS_VOID;
	if (!status_ok(linker_check_call_type(l, id, name, linker_call_type_name(type), &err))) {
		explain_link(why, &err);
		return STATUS(E_PERM);
	}
	struct crate_call c = {.address = address, .shape = shape, .a = arg};
	struct fault_report fault;
	char call[80];
	if (shape == FN_STATUS_U32)
		ksnprintf(call, sizeof call, "%s(%u)", name, arg);
	else
		ksnprintf(call, sizeof call, "%s()", name);
	if (!protected_call(&c, &fault) && why) {
		char text[120];
		fault_describe(&fault, text, sizeof text);
		ksnprintf(why->text, sizeof why->text, "%s faulted: %s", call, text);
	} else if (!status_ok(c.result) && why) {
		ksnprintf(why->text, sizeof why->text, "%s failed (%s)", call, kerr_name(c.result.err));
	}
	return c.result;
}

/* The handover of the swap being applied (theseus/crates.h). Swaps run
 * with interrupts off, one at a time, so one is enough. */
static struct {
	bool applying;  /* from the save hook to the end of the swap */
	bool open;      /* a save hook is running: put is allowed */
	void *data;     /* kheap block of `len` bytes, or NULL */
	size_t len;
	char type[64];  /* a record's type name; "" for plain bytes */
	uint32_t format;
} handover;

static struct status handover_put(struct str data, const char *type, uint32_t format)
{
	if (!handover.open)
		return STATUS(E_INVAL);
	if (handover.data)
		return STATUS(E_EXIST);
	if (data.len > KERNEL_HANDOVER_MAX)
		return STATUS(E_RANGE);
	if (data.len == 0 || strlen(type) >= sizeof handover.type)
		return STATUS(E_INVAL);
	void *copy = kheap_alloc(data.len);
	if (!copy)
		return STATUS(E_NOMEM);
	memcpy(copy, data.ptr, data.len);
	handover.data = copy;
	handover.len = data.len;
	memcpy(handover.type, type, strlen(type) + 1);
	handover.format = format;
	return STATUS_OK;
}

KERNEL_EXPORT bool kernel_swap_in_progress(void) { return handover.applying; }
KEXPORT(kernel_swap_in_progress);

KERNEL_EXPORT struct status kernel_swap_handover_put(struct str data) { return handover_put(data, "", 0); }
KEXPORT(kernel_swap_handover_put);

KERNEL_EXPORT struct status kernel_swap_handover_put_record_(const char *type, size_t size, uint32_t format,
							     const void *record)
{
	if (!type[0])
		return STATUS(E_INVAL);
	return handover_put((struct str){record, size}, type, format);
}
KEXPORT(kernel_swap_handover_put_record_);

KERNEL_EXPORT struct count_result kernel_swap_handover_get(struct bytes out)
{
	if (!handover.data)
		return (struct count_result){E_NOENT, 0};
	if (out.len < handover.len)
		return (struct count_result){E_RANGE, handover.len};
	if (handover.type[0])
		return (struct count_result){E_PERM, 0}; /* a record: only as its type */
	memcpy(out.ptr, handover.data, handover.len);
	return (struct count_result){E_OK, handover.len};
}
KEXPORT(kernel_swap_handover_get);

KERNEL_EXPORT struct status kernel_swap_handover_get_record_(const char *type, size_t size, uint32_t format,
							     void *record)
{
	if (!handover.data)
		return STATUS(E_NOENT);
	if (!type[0] || strcmp(type, handover.type) || size != handover.len || format != handover.format)
		return STATUS(E_INVAL);
	memcpy(record, handover.data, size);
	return STATUS_OK;
}
KEXPORT(kernel_swap_handover_get_record_);

static void handover_end(void)
{
	if (handover.data)
		kheap_free(handover.data, handover.len);
	handover.data = NULL;
	handover.len = 0;
	handover.type[0] = 0;
	handover.format = 0;
	handover.open = false;
	handover.applying = false;
}

/* Undo what prepare_new left: the plan, and NEW if it is prepared. */
static void forget_preparation(struct linker *l, uint32_t new)
{
	struct link_error err;
	linker_cancel_swap_plan(l);
	if (linker_is_prepared(l, new))
		(void)linker_unprepare(l, new, &err);
}

/* Prepare NEW and plan the swap (linker_prepare_swap) while OLD stays in
 * service. A crate that cannot be prepared apart (an import cycle) is
 * loaded and planned inside the window as before; a replacement that does
 * not serve OLD's interface is refused here, with interrupts on. OLD
 * replaced or unloaded meanwhile makes the plan stale. */
static struct status prepare_new(struct linker *l, const struct swap_plan *plan, uint32_t old, uint32_t new,
				 struct crate_error *why)
{
	struct link_error err;
	struct status s = linker_prepare_swap(l, old, new, &err);
	if (s.err == E_BUSY) {
		explain(why, "the linker is busy with another request");
		return STATUS(E_AGAIN);
	}
	if (!status_ok(s) && s.err != E_INVAL) {
		explain_link(why, &err);
		return s;
	}
	s = handle_id(&plan->old_crate, &l, &old, why);
	if (status_ok(s) && !linker_is_loaded(l, old)) {
		explain(why, "not loaded");
		s = STATUS(E_NOENT);
	}
	if (!status_ok(s)) {
		forget_preparation(l, new);
	}
	return s;
}

KERNEL_EXPORT struct status kernel_crate_swap_apply(struct swap_plan *plan, struct crate_error *why)
{
	struct linker *l;
	uint32_t old, new;
	plan->cycles = 0;
	struct status s = handle_id(&plan->old_crate, &l, &old, why);
	if (status_ok(s))
		s = handle_id(&plan->new_crate, &l, &new, why);
	if (!status_ok(s))
		return s;
	if (!linker_is_loaded(l, old)) {
		explain(why, "not loaded");
		return STATUS(E_NOENT);
	}
	bool retire = plan->retire_old;
	if (on_stack(l, old) && !retire) {
		explain(why, "the calling context is executing in it");
		return STATUS(E_BUSY);
	}
	/* With interrupts off nothing enters OLD between the check and the
	 * re-linking; inits that turn them on have them turned off again. */
	bool irq = cpu_irq_save();
	char buf[80];
	const char *holds = not_quiescent(l, old, retire, buf, sizeof buf);
	struct link_error err;
	if (!holds) {
		/* NEW's load and the swap's plan are no part of the window:
		 * done now, with interrupts on; NEW's init and the writes of
		 * the planned fields wait for the window. */
		cpu_irq_restore(irq);
		s = prepare_new(l, plan, old, new, why);
		if (!status_ok(s))
			return s;
		irq = cpu_irq_save();
		holds = not_quiescent(l, old, retire, buf, sizeof buf);
		if (holds)
			forget_preparation(l, new);
	}
	/* Not prepared when OLD was busy at the first look: the linker's one
	 * plan may then be another swap's, made by a task this one preempted
	 * between its preparation and its window (a helper retrying a
	 * deferred restart of the shell while `evolve all` swaps timer), and
	 * is not this call's to cancel. */
	uint64_t start = rdtsc();
	if (holds) {
		cpu_irq_restore(irq);
		explain(why, holds);
		return STATUS(E_AGAIN);
	}
	/* What the window prints (load lines, an init's) waits for its end:
	 * under TCG each byte costs a host write. And no task switch in it,
	 * even if an init turns interrupts on: a tick then waits for the
	 * window's end (another task running there found the linker's plan
	 * half used, and OLD's state already handed over). */
	struct cpu_preemption *preemption = kernel_preemption_record();
	preempt_hold(preemption);
	serial_hold(true);
	crates_keep_interrupts_off(true);
	handover.applying = true;
	handover.open = true;
	s = run_hook(l, old, plan->save_hook, FN_STATUS_VOID, 0, why);
	handover.open = false;
	if (status_ok(s)) {
		s = retire ? linker_swap_retiring(l, old, new, &err) : linker_swap_to(l, old, new, &err);
		if (!status_ok(s))
			explain_link(why, &err);
	}
	if (status_ok(s)) {
		/* A failing migration takes the old crate back (from its image). */
		s = run_hook(l, new, plan->migrate_hook, FN_STATUS_U32, plan->migrate_arg, why);
		/* Back to OLD, a fresh instance of it: what was handed over is
		 * offered to its own migrate hook, if it has one. */
		bool undone = !status_ok(s) && (!retire || status_ok(linker_unretire(l, old, &err))) &&
			      status_ok(linker_swap_to(l, new, old, &err));
		if (undone && plan->migrate_hook[0] && linker_export_address(l, old, plan->migrate_hook, true, &(uint64_t){0}))
			(void)run_hook(l, old, plan->migrate_hook, FN_STATUS_U32, plan->migrate_arg, NULL);
		if (!status_ok(s) && why) {
			size_t used = strnlen(why->text, sizeof why->text);
			ksnprintf(why->text + used, sizeof why->text - used, "; %s",
				  undone ? "the swap was undone" : "undoing the swap failed too");
		}
	}
	/* A refused save hook leaves NEW prepared and the plan made: nothing
	 * of either stays. */
	forget_preparation(l, new);
	handover_end();
	crates_keep_interrupts_off(false);
	if (status_ok(s) && linker_is_added(l, old))
		(void)linker_forget_pushed(l, old);
	plan->cycles = rdtsc() - start;
	cpu_irq_restore(irq);
	serial_hold(false);
	preempt_release(preemption);
	return s;
}
KEXPORT(kernel_crate_swap_apply);

/* A retired crate goes once nothing runs in it. Each is checked with
 * interrupts off, as a swap checks OLD, so no task can enter it (none
 * can: nothing binds to it) or leave a reference between the check and
 * the unload. */
KERNEL_EXPORT size_t kernel_crate_reap_retired(void)
{
	struct linker *l = crates_linker();
	size_t gone = 0;
	for (uint32_t id = l ? linker_next_retired(l, LINKER_NO_CRATE) : LINKER_NO_CRATE; id != LINKER_NO_CRATE;
	     id = linker_next_retired(l, id)) {
		bool irq = cpu_irq_save();
		char buf[80];
		struct link_error err;
		bool unused = !on_stack(l, id) && !not_quiescent(l, id, false, buf, sizeof buf);
		bool unloaded = unused && status_ok(linker_unload(l, id, &err));
		if (unloaded && linker_is_added(l, id))
			(void)linker_forget_pushed(l, id);
		cpu_irq_restore(irq);
		gone += unloaded;
	}
	return gone;
}
KEXPORT(kernel_crate_reap_retired);

KERNEL_EXPORT bool kernel_crate_caller_retired(void)
{
	struct linker *l = crates_linker();
	uint64_t caller = (uint64_t)__builtin_return_address(0);
	for (uint32_t id = l ? linker_next_retired(l, LINKER_NO_CRATE) : LINKER_NO_CRATE; id != LINKER_NO_CRATE;
	     id = linker_next_retired(l, id))
		if (linker_text_contains(l, id, caller))
			return true;
	return false;
}
KEXPORT(kernel_crate_caller_retired);
