/* Benchmark of the evolution crate, beside the nano-core's own swap.*
 * figures (benchmarks/kernel/swap_bench.c), for every crate of the archive
 * declared an alternative of another:
 *   swap_request.OLD_to_NEW  the swap as a crate asks for it
 *                            (evolution_swap): request to done, with the
 *                            quiescence check (every task's stack walked),
 *                            the migration hook and the history entry
 * Each round swaps there and back; the first pass times "there", the
 * second "back". When the swap back is refused by design (counter_v2's
 * state cannot go back to counter: its hook says so and the swap is
 * undone), the old crate is put back untimed by the bare primitive, the
 * forward figure carries back_refused=1, and there is no backward figure.
 * Crates that import from OLD are loaded first, so that each swap has
 * their relocations to re-point. */
#include <theseus/alloc.h>
#include <theseus/crates.h>
#include <theseus/kbench.h>
#include "evolution_internal.h"
#include "fmt.h"

#define MAX_CRATES 64

static uint32_t dependents_of(struct str crate)
{
	struct crate_handle h;
	struct crate_summary s;
	struct crate_error why;
	return status_ok(kernel_crate_find(crate, &h, &why)) && status_ok(kernel_crate_describe(&h, &s))
		       ? s.dependent_crates
		       : 0;
}

struct crate_list {
	struct crate_summary of[MAX_CRATES];
	size_t count;
};

static void list_crates(struct crate_list *l) { l->count = kernel_crate_list(l->of, MAX_CRATES); }

/* Load, beside OLD, every crate that then imports from it. */
static void load_dependents(struct str old, const struct crate_list *list)
{
	for (size_t i = 0; i < list->count && i < MAX_CRATES; i++) {
		const struct crate_summary *c = ARRAY_AT(list->of, i);
		struct str name = STR_FROM_CSTR_ARRAY(c->name);
		if (c->loaded || c->alternative || str_eq(name, old))
			continue;
		uint32_t before = dependents_of(old);
		struct crate_error why;
		if (status_ok(kernel_crate_load(name, &why)) && dependents_of(old) == before &&
		    !status_ok(kernel_crate_unload(name, &why)))
			continue; /* stays loaded: harmless */
	}
}

/* The untimed way back when the policy refuses it: the primitive without
 * hooks, retried until the old crate is quiescent. */
static bool force_back(struct str from, struct str to)
{
	struct swap_plan plan = {};
	struct crate_error why;
	if (!status_ok(kernel_crate_find(from, &plan.old_crate, &why)) ||
	    !status_ok(kernel_crate_find_archived(to, &plan.new_crate, &why)))
		return false;
	struct status s = STATUS(E_AGAIN);
	for (int i = 0; i < 500 && s.err == E_AGAIN; i++)
		s = kernel_crate_swap_apply(&plan, &why);
	return status_ok(s);
}

static void measure(struct kbench_ctx *b, struct str old, struct str new_crate, uint64_t elf_bytes_new,
		    uint64_t elf_bytes_old)
{
	bool back_refused = false;
	for (int pass = 0; pass < 2 && !back_refused; pass++) {
		struct fmt_line figure;
		fmt_clear(&figure);
		fmt_str(&figure, STR("swap_request."));
		fmt_str(&figure, pass ? new_crate : old);
		fmt_str(&figure, STR("_to_"));
		fmt_str(&figure, pass ? old : new_crate);
		char name[96] = {};
		bytes_fill_cstr(BYTES_OF(name), fmt_view(&figure));
		for (uint64_t i = 0; i < kbench_iterations(b); i++) {
			struct crate_error why = {""};
			uint64_t t0 = kbench_now();
			struct status there = evolution_swap(old, new_crate, &why);
			uint64_t t1 = kbench_now();
			if (!status_ok(there)) {
				kbench_fail(b, "a swap there was refused");
				return;
			}
			struct status back = evolution_swap(new_crate, old, &why);
			uint64_t t2 = kbench_now();
			if (!status_ok(back)) {
				if (back.err != E_INVAL || !force_back(new_crate, old)) {
					kbench_fail(b, "a swap back was refused");
					return;
				}
				back_refused = true;
			}
			kbench_sample(b, pass ? t2 - t1 : t1 - t0, 1);
		}
		kbench_note(b, "elf_bytes", pass ? elf_bytes_old : elf_bytes_new);
		if (back_refused)
			kbench_note(b, "back_refused", 1);
		kbench_report_str(b, STR_FROM_CSTR_ARRAY(name));
	}
}

static uint64_t image_bytes(struct str crate)
{
	struct crate_handle h;
	struct crate_summary s;
	struct crate_error why;
	return status_ok(kernel_crate_find_archived(crate, &h, &why)) && status_ok(kernel_crate_describe(&h, &s))
		       ? s.image_bytes
		       : 0;
}

struct lists {
	struct crate_list all, now;
};

/* The crate tables are on the heap for the benchmark: too large for a
 * stack, and static ones would be state this crate keeps for good. */
KBENCH(swap_requests, "swap_request")
{
	struct lists *tables = NULL;
	if (!status_ok(HEAP_NEW(struct lists, &tables, HEAP_OWNER_KERNEL))) {
		kbench_fail(b, "no memory for the crate tables");
		return;
	}
	struct crate_list *list = &tables->all;
	list_crates(list);
	unsigned pairs = 0;
	for (size_t i = 0; i < list->count && i < MAX_CRATES; i++) {
		const struct crate_summary *alt = ARRAY_AT(list->of, i);
		if (!alt->alternative || !alt->alternative_of[0])
			continue;
		struct str old = STR_FROM_CSTR_ARRAY(alt->alternative_of), new_crate = STR_FROM_CSTR_ARRAY(alt->name);
		struct crate_error why;
		struct status loaded = kernel_crate_load(old, &why);
		if (!status_ok(loaded) && loaded.err != E_EXIST) {
			kbench_skip(b, "swap_request", "a crate with an alternative does not load");
			continue;
		}
		list_crates(&tables->now);
		load_dependents(old, &tables->now);
		measure(b, old, new_crate, image_bytes(new_crate), image_bytes(old));
		pairs++;
	}
	if (!pairs)
		kbench_skip(b, "swap_request", "no crate in the archive is declared an alternative of another");
	if (!status_ok(HEAP_FREE(tables)))
		kbench_fail(b, "freeing the crate tables failed");
}

/* Restarts of the core crates, each keeping its state (the hooks carry
 * it), beside the paper's evolution time (tens of ms, mostly loading):
 *   restart_window.CRATE  the interrupts-off window: the save hook, the
 *                         new copy's init, the re-pointed fields written,
 *                         the migrate hook (the load and the plan are made
 *                         before it, with interrupts on)
 *   restart_total.CRATE   request to done: the copy's load, the plan,
 *                         the quiescence check and the window
 * each noted with the bytes of .data/.bss the crate keeps (state_bytes)
 * and the crates that import from it (dependent_crates). A crate
 * whose restart is refused (state no hook carries, live objects) is
 * listed as skipped, with the refusal. */
#define RESTART_ROUNDS_MAX 50

static void name_figure(char (*out)[64], struct str prefix, struct str crate)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, prefix);
	fmt_str(&line, crate);
	bytes_fill_cstr(BYTES_OF(*out), fmt_view(&line));
}

static void measure_restart(struct kbench_ctx *b, struct str crate)
{
	char window_name[64], total_name[64];
	name_figure(&window_name, STR("restart_window."), crate);
	name_figure(&total_name, STR("restart_total."), crate);
	struct crate_error why = {""};
	struct status loaded = kernel_crate_load(crate, &why);
	struct crate_handle h;
	struct crate_summary before;
	if ((!status_ok(loaded) && loaded.err != E_EXIST) || !status_ok(kernel_crate_find(crate, &h, &why)) ||
	    !status_ok(kernel_crate_describe(&h, &before))) {
		kbench_skip_str(b, STR_FROM_CSTR_ARRAY(window_name), STR("the crate does not load"));
		return;
	}
	uint64_t rounds = kbench_iterations(b) < RESTART_ROUNDS_MAX ? kbench_iterations(b) : RESTART_ROUNDS_MAX;
	uint64_t totals[RESTART_ROUNDS_MAX];
	for (uint64_t i = 0; i < rounds; i++) {
		uint64_t cycles = 0, window = 0;
		struct status s = evolution_restart_measured(crate, false, false, &why, &cycles, &window);
		if (!status_ok(s)) {
			kbench_skip_str(b, STR_FROM_CSTR_ARRAY(window_name), STR_FROM_CSTR_ARRAY(why.text));
			return;
		}
		kbench_sample(b, window, 1);
		*ARRAY_AT(totals, i) = cycles;
	}
	kbench_note(b, "state_bytes", before.state_bytes);
	kbench_note(b, "dependent_crates", before.dependent_crates);
	kbench_report_str(b, STR_FROM_CSTR_ARRAY(window_name));
	for (uint64_t i = 0; i < rounds; i++)
		kbench_sample(b, *ARRAY_AT(totals, i), 1);
	kbench_note(b, "state_bytes", before.state_bytes);
	kbench_report_str(b, STR_FROM_CSTR_ARRAY(total_name));
}

KBENCH(core_restarts, "restart")
{
	const struct str core_crates[] = {STR("fmt"),         STR("log"),  STR("timer"),      STR("memory"),
					  STR("heap"),        STR("task"), STR("interrupts"), STR("serial_input"),
					  STR("state_store"), STR("channel"), STR("shell")};
	for (size_t i = 0; i < sizeof core_crates / sizeof core_crates[0]; i++)
		measure_restart(b, *ARRAY_AT(core_crates, i));
}

/* heap.alloc_free once heap_v2 serves: the same 32-byte allocation and
 * free as the heap crate's own benchmark, after a live `swap heap
 * heap_v2` (and swapped back after). The acceptance figure of heap_v2,
 * beside glibc's malloc+free in the same run. */
KBENCH(heap_v2_alloc_free, "heap_v2.alloc_free")
{
	struct crate_error why = {""};
	if (!status_ok(evolution_swap(STR("heap"), STR("heap_v2"), &why))) {
		kbench_skip_str(b, STR("heap_v2.alloc_free"), STR_FROM_CSTR_ARRAY(why.text));
		return;
	}
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++) {
			struct heap_block_result r = heap_alloc(32, 8, HEAP_OWNER_KERNEL);
			if (r.err != E_OK || !status_ok(heap_free(r.value.ptr, 32))) {
				kbench_fail(b, "heap_alloc(32) or heap_free failed under heap_v2");
				break;
			}
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_note(b, "bytes", 32);
	kbench_report(b, "heap_v2.alloc_free");
	if (!status_ok(evolution_swap(STR("heap_v2"), STR("heap"), &why)))
		kbench_fail(b, "swap heap_v2 heap failed after the benchmark");
}
