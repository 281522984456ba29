/* Live swap (linker_swap): for every crate of the archive declared as an
 * alternative of another, the replacement in both directions, with every
 * crate that imports from the old one loaded, so that the swap has their
 * relocations to re-point (the scheduler policy under the task crate, say).
 * Each sample is one whole swap as the caller waits for it: load the new
 * crate, re-point every dependent relocation, unload the old one.
 *   swap.OLD_to_NEW   with the new crate's ELF size, the relocations
 *                     re-pointed, and how many crates using the old one
 *                     were loaded (directly or through others)
 * The swap as a crate asks for it (quiescence, hooks, history) is the
 * evolution crate's benchmark, swap_request.OLD_to_NEW.
 * Interrupts are off during each linker_swap: no timer tick can run scheduler
 * code while it is being replaced (the quiescence a swap needs). */
#include "bench_support.h"
#include <theseus/cpu.h>

static uint32_t dependent_relocations(const struct linker *l, uint32_t id)
{
	struct linker_crate_stats st;
	return status_ok(linker_crate_stats(l, id, &st)) ? st.dependent_relocs : 0;
}

struct swap_pair {
	const char *from, *to;
	uint32_t from_id;
};

/* One swap from `p->from` (loaded, id in p->from_id) to `p->to`; the new
 * id replaces p->from_id. Returns false (reason given) on failure. */
static bool swap_quietly(struct linker *l, struct swap_pair *p, uint64_t *cycles, char *why, size_t cap)
{
	struct link_error err;
	uint32_t new_id;
	bool irq = bench_linker_idle(l);
	uint64_t t0 = kbench_now();
	struct status s = linker_swap(l, p->from_id, p->to, &new_id, &err);
	*cycles = kbench_now() - t0;
	cpu_irq_restore(irq);
	if (!status_ok(s)) {
		link_error_format(&err, why, cap);
		return false;
	}
	p->from_id = new_id;
	return true;
}

static bool swap_once(struct kbench_ctx *b, struct linker *l, struct swap_pair *p, uint64_t *cycles)
{
	char why[200];
	if (swap_quietly(l, p, cycles, why, sizeof why))
		return true;
	kbench_fail(b, why);
	return false;
}

/* linker_load_crate once no other task's request holds the linker. The
 * load itself runs with interrupts on (inits may need them), so a task can
 * still start a request just before it: then it waits and tries again. */
#define LOAD_TRIES 3
static struct status load_crate(struct linker *l, const char *name, uint32_t *id, struct link_error *err)
{
	struct status s;
	for (int tries = 1;; tries++) {
		cpu_irq_restore(bench_linker_idle(l));
		s = linker_load_crate(l, name, id, err);
		if (s.err != E_BUSY || tries == LOAD_TRIES)
			return s;
	}
}

/* Crates that import from `old_name`: each other crate is loaded beside it
 * once, and kept in the list when that gave the old crate dependents.
 * Alternatives are left out (they replace, not use). */
static unsigned find_dependents(struct linker *l, const char *old_name, uint32_t *out, unsigned cap)
{
	unsigned n = 0;
	for (uint32_t c = 0; c < l->archive.crate_count && n < cap; c++) {
		struct archive_crate ac = archive_crate_at(&l->archive, c);
		if (!strcmp(ac.name, old_name) || (ac.flags & ARCHIVE_CRATE_ALTERNATIVE))
			continue;
		crates_unload_unused(l);
		uint32_t id, dep;
		struct link_error err;
		if (!status_ok(load_crate(l, old_name, &id, &err)))
			return n;
		if (status_ok(load_crate(l, ac.name, &dep, &err)) && dependent_relocations(l, id))
			out[n++] = c;
	}
	crates_unload_unused(l);
	return n;
}

static void measure_pair(struct kbench_ctx *b, struct linker *l, const char *old_name, const char *new_name)
{
	char forward[96], backward[96];
	ksnprintf(forward, sizeof forward, "swap.%s_to_%s", old_name, new_name);
	ksnprintf(backward, sizeof backward, "swap.%s_to_%s", new_name, old_name);
	/* A crate that shares its state with its successor (FAMILY_share:
	 * task, whose table every task runs on) is not swapped bare: the new
	 * one would start a table of its own under the running tasks. Its
	 * swap with the hooks is swap_request.OLD_to_NEW. Asked of the
	 * archive, before anything is loaded. */
	char share[80];
	ksnprintf(share, sizeof share, "%s_share", old_name);
	if (linker_crate_exports_symbol(l, archive_find_crate(&l->archive, old_name), share)) {
		char why[160];
		ksnprintf(why, sizeof why, "%s shares its state with its successor (%s): swapped only with its hooks "
			  "(swap_request.%s_to_%s)", old_name, share, old_name, new_name);
		kbench_skip(b, forward, why);
		kbench_skip(b, backward, why);
		return;
	}
	uint32_t dependents[16];
	unsigned dependent_count = find_dependents(l, old_name, dependents, 16);
	uint32_t id;
	struct link_error err;
	if (!status_ok(load_crate(l, old_name, &id, &err))) {
		kbench_skip(b, forward, "the crate does not load");
		return;
	}
	for (unsigned i = 0; i < dependent_count; i++) {
		uint32_t dep;
		(void)load_crate(l, archive_crate_at(&l->archive, dependents[i]).name, &dep, &err);
	}
	uint32_t patched = dependent_relocations(l, id);
	uint64_t new_bytes = archive_crate_at(&l->archive, archive_find_crate(&l->archive, new_name)).elf_size;
	uint64_t old_bytes = archive_crate_at(&l->archive, id).elf_size;

	/* The bare primitive carries no state: a pair whose new crate refuses
	 * to start beside the old one (heap_v2 beside heap: its start would
	 * free the slabs) is measured by the evolution crate's swap_request
	 * and restart figures instead, with its hooks. */
	{
		struct swap_pair trial = {old_name, new_name, id};
		uint64_t unused;
		char why[200];
		if (!swap_quietly(l, &trial, &unused, why, sizeof why)) {
			kbench_skip(b, forward, why);
			kbench_skip(b, backward, why);
			return;
		}
		struct swap_pair back = {new_name, old_name, trial.from_id};
		if (!swap_once(b, l, &back, &unused))
			return;
		id = back.from_id;
	}
	/* Forward swaps first (each followed by an untimed swap back), then
	 * the backward ones: the sample buffer holds one figure at a time. */
	for (int direction = 0; direction < 2; direction++) {
		for (uint64_t i = 0; i < kbench_iterations(b); i++) {
			struct swap_pair there = {old_name, new_name, id}, back = {new_name, old_name, 0};
			uint64_t t_there, t_back;
			if (!swap_once(b, l, &there, &t_there))
				return;
			back.from_id = there.from_id;
			if (!swap_once(b, l, &back, &t_back))
				return;
			id = back.from_id;
			kbench_sample(b, direction == 0 ? t_there : t_back, 1);
		}
		kbench_note(b, "elf_bytes", direction == 0 ? new_bytes : old_bytes);
		kbench_note(b, "patched_relocs", patched);
		kbench_note(b, "users_loaded", dependent_count);
		kbench_report(b, direction == 0 ? forward : backward);
	}
}

KBENCH(swap_alternatives, "swap")
{
	struct linker *l = bench_linker(b, "swap");
	if (!l)
		return;
	bench_log_fn log = bench_quiet_linker(l);
	unsigned pairs = 0;
	for (uint32_t i = 0; i < l->archive.crate_count; i++) {
		struct archive_crate alt = archive_crate_at(&l->archive, i);
		if (!(alt.flags & ARCHIVE_CRATE_ALTERNATIVE) || !alt.alternative_of[0] ||
		    archive_find_crate(&l->archive, alt.alternative_of) == ARCHIVE_NO_CRATE)
			continue;
		measure_pair(b, l, alt.alternative_of, alt.name);
		pairs++;
	}
	if (!pairs)
		kbench_skip(b, "swap", "no crate in the archive is declared an alternative of another");
	crates_unload_unused(l);
	bench_restore_linker(l, log);
}
