/* In-kernel tests of the nano-core's interrupt entry, driven by software
 * interrupts (`int $n`) with the CPU's interrupt flag clear, so that no
 * device interrupt mixes into the counts. The interrupts crate is loaded
 * and unloaded here through the linker; the tests of real device
 * interrupts are crate tests (crates/ktest_irq, crates/timer). */
#include "records.h"
#include "crate_env.h"
#include "irq_entry.h"
#include "arch/x86_64/x86.h"
#include "arch/x86_64/trap.h"
#include <theseus/cpu.h>
#include <theseus/context.h>
#include <theseus/preemption.h>
#include <theseus/services.h>

#define FOREIGN_VECTOR 0xF0 /* no PIC line maps to it */
#define SPURIOUS_VECTOR 39  /* PIC line 7, with nothing in service */

/* Mirrors crates/interrupts/include/interrupts.h (the nano-core does not
 * include crate headers). */
struct irq_line_stats_view {
	uint8_t line, vector;
	bool masked;
	uint32_t handlers;
	uint64_t taken, spurious, handler_calls, handler_missed, handler_faults;
};
struct interrupts_stats_view {
	struct irq_line_stats_view lines[16];
	uint64_t foreign_vectors;
};

static void raise_vector(uint8_t vector)
{
	switch (vector) {
	case FOREIGN_VECTOR: __asm__ volatile("int $0xF0" ::: "memory"); break;
	case SPURIOUS_VECTOR: __asm__ volatile("int $39" ::: "memory"); break;
	}
}

static struct status set_dispatcher(struct str symbol)
{
	return kernel_service_register(KERNEL_SERVICE_IRQ_DISPATCH, symbol);
}

/* The registered dispatcher's name ("" for none). */
static const char *dispatcher_symbol(void)
{
	static char name[IRQ_SYMBOL_MAX];
	struct str s = kernel_service_symbol(KERNEL_SERVICE_IRQ_DISPATCH);
	if (!text_to_cstr(s.ptr, s.len, name, sizeof name))
		name[0] = '\0';
	return name;
}

/* The dispatcher as it was before a test, put back afterwards. */
struct saved_dispatcher {
	char symbol[IRQ_SYMBOL_MAX];
	bool interrupts_on;
};

static void save_dispatcher(struct saved_dispatcher *s)
{
	s->interrupts_on = cpu_irq_save();
	for (size_t i = 0; i < sizeof s->symbol; i++) {
		s->symbol[i] = dispatcher_symbol()[i];
		if (!s->symbol[i])
			break;
	}
	s->symbol[sizeof s->symbol - 1] = '\0';
}

static void restore_dispatcher(const struct saved_dispatcher *s)
{
	struct str name = {s->symbol, strlen(s->symbol)};
	(void)set_dispatcher(name);
	cpu_irq_restore(s->interrupts_on);
}

KTEST(irq_unrouted_vector_is_counted, "irq.unrouted_vector_is_counted")
{
	struct saved_dispatcher saved;
	save_dispatcher(&saved);
	struct irq_entry_stats before, after;
	KT_EXPECT(t, status_ok(set_dispatcher(STR_EMPTY)));
	kernel_irq_entry_stats(&before);
	raise_vector(FOREIGN_VECTOR);
	raise_vector(SPURIOUS_VECTOR);
	kernel_irq_entry_stats(&after);
	restore_dispatcher(&saved);
	KT_EXPECT(t, after.entered == before.entered + 2);
	KT_EXPECT(t, after.unrouted == before.unrouted + 2);
	KT_EXPECT(t, after.dispatcher_faults == before.dispatcher_faults);
}

KTEST(irq_set_dispatcher_checks_symbol, "irq.set_dispatcher_checks_symbol")
{
	struct saved_dispatcher saved;
	save_dispatcher(&saved);
	struct status missing = set_dispatcher(STR("no_such_dispatcher"));
	struct status too_long = set_dispatcher(
		STR("a_symbol_name_that_is_longer_than_sixty_three_bytes_and_so_does_not_fit"));
	/* kernel_console_write is a nano-core export, not a crate's. */
	struct status kernel_fn = set_dispatcher(STR("kernel_console_write"));
	bool unchanged = !strcmp(dispatcher_symbol(), saved.symbol);
	restore_dispatcher(&saved);
	KT_EXPECT(t, missing.err == E_NOENT);
	KT_EXPECT(t, too_long.err == E_INVAL);
	KT_EXPECT(t, kernel_fn.err == E_NOENT);
	KT_EXPECT(t, unchanged);
}

/* Unload the crates that were not loaded before (dependents first). */
static void unload_new(struct linker *l, const bool *was_loaded)
{
	for (bool progress = true; progress;) {
		progress = false;
		for (uint32_t id = linker_next_loaded(l, LINKER_NO_CRATE); id != LINKER_NO_CRATE;
		     id = linker_next_loaded(l, id)) {
			struct link_error err;
			if (id < 64 && !was_loaded[id] && status_ok(linker_unload(l, id, &err))) {
				progress = true;
				break;
			}
		}
	}
}

static struct interrupts_stats_view stats_of_interrupts(struct linker *l)
{
	struct interrupts_stats_view v;
	struct linker_symbol sym;
	struct link_error err;
	memset(&v, 0xFF, sizeof v);
	if (status_ok(linker_resolve(l, "interrupts_stats", 0, &sym, &err)))
		((void (*)(struct interrupts_stats_view *))sym.address)(&v);
	return v;
}

/* The dispatcher and a handler reference are held by name: unloading the
 * crate makes them miss (counted, harmless), loading it again makes them
 * reach the new incarnation, never the freed code of the old one. */
KTEST(irq_references_follow_reload, "irq.references_follow_reload")
{
	struct linker *l = crates_linker();
	KT_EXPECT(t, l != NULL && l->archive.crate_count <= 64);
	bool was_loaded[64] = {false};
	for (uint32_t id = 0; id < l->archive.crate_count; id++)
		was_loaded[id] = linker_is_loaded(l, id);
	KT_EXPECT_MSG(t, !crates_is_loaded(l, "interrupts"), "needs a boot where nothing loaded the interrupts crate");

	struct saved_dispatcher saved;
	save_dispatcher(&saved);
	struct link_error err;
	uint32_t id;
	struct irq_entry_stats e0, e1, e2, e3;
	struct status loaded = linker_load_crate(l, "interrupts", &id, &err);
	bool dispatcher_named = !strcmp(dispatcher_symbol(), "interrupts_dispatch");
	struct irq_handler_ref ref;
	struct status bound = kernel_irq_handler_bind(STR("interrupts_dispatch"), &ref);

	/* Loaded: both vectors reach the crate, which sorts them. */
	kernel_irq_entry_stats(&e0);
	raise_vector(FOREIGN_VECTOR);
	raise_vector(SPURIOUS_VECTOR);
	kernel_irq_entry_stats(&e1);
	struct interrupts_stats_view first = stats_of_interrupts(l);
	struct linker_crate_stats st;
	uint32_t refs_after_calls = status_ok(linker_crate_stats(l, id, &st)) && st.loaded ? st.refcount : 99;

	/* Unloaded: the vector is unrouted; the reference is stale. */
	struct status unloaded = linker_unload(l, id, &err);
	raise_vector(FOREIGN_VECTOR);
	kernel_irq_entry_stats(&e2);
	struct status stale_call = kernel_irq_handler_call(&ref, FOREIGN_VECTOR);

	/* Loaded again: fresh counts show the new incarnation answered, both
	 * through the dispatcher and through the reference bound before. */
	struct status reloaded = linker_load_crate(l, "interrupts", &id, &err);
	raise_vector(FOREIGN_VECTOR);
	struct status fresh_call = kernel_irq_handler_call(&ref, FOREIGN_VECTOR);
	kernel_irq_entry_stats(&e3);
	struct interrupts_stats_view second = stats_of_interrupts(l);

	restore_dispatcher(&saved);
	unload_new(l, was_loaded);

	KT_EXPECT(t, status_ok(loaded) && dispatcher_named && status_ok(bound));
	KT_EXPECT(t, e1.entered == e0.entered + 2 && e1.unrouted == e0.unrouted);
	KT_EXPECT_MSG(t, first.foreign_vectors == 1 && first.lines[7].spurious == 1 && first.lines[7].taken == 0,
		      "foreign %lu, line 7 spurious %lu taken %lu", first.foreign_vectors, first.lines[7].spurious,
		      first.lines[7].taken);
	KT_EXPECT_MSG(t, refs_after_calls == 0, "%u strong references left after the calls", refs_after_calls);
	KT_EXPECT(t, status_ok(unloaded));
	KT_EXPECT(t, e2.unrouted == e1.unrouted + 1);
	KT_EXPECT(t, stale_call.err == E_STALE);
	KT_EXPECT(t, status_ok(reloaded) && status_ok(fresh_call));
	KT_EXPECT(t, e3.unrouted == e2.unrouted);
	KT_EXPECT_MSG(t, second.foreign_vectors == 2, "the new incarnation counted %lu", second.foreign_vectors);
	KT_EXPECT(t, !crates_is_loaded(l, "interrupts"));
}

/* The BIOS leaves the PICs delivering on vectors 8..15, which are CPU
 * exceptions: until the interrupts crate remaps them, they must be quiet. */
KTEST(irq_legacy_pics_masked_at_boot, "irq.legacy_pics_masked_at_boot")
{
	struct linker *l = crates_linker();
	KT_EXPECT(t, l != NULL);
	/* Once the interrupts crate has been loaded, the masks are its own
	 * (this test runs before the ones that load it). */
	uint32_t id = linker_crate_by_name(l, "interrupts");
	struct linker_crate_stats st;
	if (id != LINKER_NO_CRATE && status_ok(linker_crate_stats(l, id, &st)) && (st.loaded || st.generation != 1))
		return;
	KT_EXPECT_MSG(t, inb(0x21) == 0xFF && inb(0xA1) == 0xFF, "masks %02x %02x", inb(0x21), inb(0xA1));
}

/* A task holding preemption defers the switch of every interrupt, up to
 * PREEMPT_HOLD_LIMIT; one more and the hold is dropped and counted, and a
 * release after that does not wrap the count. */
KTEST(irq_preemption_hold_is_bounded, "irq.preemption_hold_is_bounded")
{
	struct cpu_preemption *p = kernel_preemption_record();
	struct irq_entry_stats before, after;
	bool enabled = cpu_irq_save();
	kernel_irq_entry_stats(&before);
	preempt_hold(p);
	for (unsigned i = 0; i < PREEMPT_HOLD_LIMIT; i++)
		raise_vector(FOREIGN_VECTOR);
	uint32_t held = p->holds, deferred = p->deferred;
	raise_vector(FOREIGN_VECTOR);
	kernel_irq_entry_stats(&after);
	uint32_t holds_after_limit = p->holds, deferred_after_limit = p->deferred;
	preempt_release(p);
	uint32_t holds_after_release = p->holds;
	cpu_irq_restore(enabled);
	KT_EXPECT_MSG(t, held == 1 && deferred == PREEMPT_HOLD_LIMIT, "holds %u, deferred %u", held, deferred);
	KT_EXPECT_MSG(t, holds_after_limit == 0 && deferred_after_limit == 0, "holds %u, deferred %u",
		      holds_after_limit, deferred_after_limit);
	KT_EXPECT(t, after.holds_dropped == before.holds_dropped + 1);
	KT_EXPECT(t, holds_after_release == 0);
}

static void hold_and_fault(uint64_t unused)
{
	(void)unused;
	preempt_hold(kernel_preemption_record());
	__builtin_trap();
}

/* A hold taken in a call that faults goes with the call. */
KTEST(irq_preemption_hold_of_a_faulted_call_is_dropped, "irq.preemption_hold_of_a_faulted_call_is_dropped")
{
	struct cpu_preemption *p = kernel_preemption_record();
	uint32_t before = p->holds;
	struct fault_report report;
	KT_EXPECT(t, kernel_run_protected(hold_and_fault, 0, &report).err == E_FAULT);
	KT_EXPECT_MSG(t, p->holds == before, "holds %u, were %u", p->holds, before);
}
