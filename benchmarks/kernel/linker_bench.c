/* The runtime linker's figures:
 *   crate_load.C           load+link of crate C alone, cold: the cycles the
 *                          linker itself records for C (place, relocate,
 *                          init; `load_time`), with its ELF size, memory,
 *                          relocations, and the floor of a memcpy of as many
 *                          bytes as its ELF image
 *   crate_load_request.C   the whole request as the caller waits for it:
 *                          C plus the crates it pulls in, page permissions
 *                          included
 *   call.cold_first        first call of a symbol whose crate is not loaded
 *                          (resolve, load and link on demand, call)
 *   call.resolve_warm      resolve of a loaded symbol, then the call
 *   call.weak_upgrade      upgrade of a weak reference, the call, drop
 *   call.direct            the call through the resolved address (floor)
 * The callee is fmt_clear of the fmt crate: tiny, and fmt needs no other
 * crate. The linker's log lines are off while timing. */
#include "bench_support.h"
#include "core/frames.h"

/* fmt_clear(struct fmt_line *) of the fmt crate, called with a buffer of
 * the line's size or more: the nano-core does not include crate headers. */
struct fmt_line_storage {
	uint64_t words[32];
};
typedef void (*fmt_clear_fn)(struct fmt_line_storage *line);

static const char callee[] = "fmt_clear";

/* Median of a few timings of memcpy(dst, src, bytes). */
static uint64_t memcpy_floor(void *dst, const void *src, uint64_t bytes)
{
	uint64_t t[31];
	for (unsigned i = 0; i < 31; i++) {
		uint64_t t0 = kbench_now();
		memcpy(dst, src, bytes);
		__asm__ volatile("" ::: "memory");
		t[i] = kbench_now() - t0;
	}
	for (unsigned i = 1; i < 31; i++) /* insertion sort: 31 values */
		for (unsigned j = i; j > 0 && t[j - 1] > t[j]; j--) {
			uint64_t x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return t[15];
}

struct request_samples {
	uint64_t *cycles;
	uint64_t count;
};

static void measure_crate(struct kbench_ctx *b, struct linker *l, uint32_t id, struct request_samples *rq,
			  void *scratch, uint64_t scratch_bytes)
{
	struct archive_crate ac = archive_crate_at(&l->archive, id);
	char name[96], request_name[112];
	ksnprintf(name, sizeof name, "crate_load.%s", ac.name);
	ksnprintf(request_name, sizeof request_name, "crate_load_request.%s", ac.name);
	struct linker_crate_stats st = {0};
	uint64_t loaded_with = 0;
	rq->count = 0;
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		crates_unload_unused(l);
		if (crates_is_loaded(l, ac.name)) {
			if (i == 0) {
				kbench_skip(b, name, "stays loaded: cannot be measured cold");
				return;
			}
			break; /* keep the samples taken so far */
		}
		uint32_t crate_id;
		struct link_error err;
		/* A task an earlier record left behind may be inside a request. */
		crates_wait_for_linker(l);
		uint64_t t0 = kbench_now();
		struct status s = linker_load_crate(l, ac.name, &crate_id, &err);
		uint64_t t1 = kbench_now();
		if (!status_ok(s) || !status_ok(linker_crate_stats(l, crate_id, &st))) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kbench_skip(b, name, why);
			return;
		}
		loaded_with = 0;
		for (uint32_t c = linker_next_loaded(l, LINKER_NO_CRATE); c != LINKER_NO_CRATE;
		     c = linker_next_loaded(l, c))
			loaded_with += c != crate_id;
		kbench_sample(b, st.load_time, 1);
		rq->cycles[rq->count++] = t1 - t0;
	}
	kbench_note(b, "elf_bytes", ac.elf_size);
	kbench_note(b, "mem_bytes", st.text_size + st.rodata_size + st.data_size + st.bss_size + st.got_size);
	kbench_note(b, "relocs", st.reloc_count);
	kbench_note(b, "sections", st.section_count);
	kbench_note(b, "deps_loaded", loaded_with);
	if (ac.elf_size <= scratch_bytes)
		kbench_note(b, "memcpy_floor", memcpy_floor(scratch, l->archive.base + ac.elf_off, ac.elf_size));
	kbench_report(b, name);
	for (uint64_t i = 0; i < rq->count; i++)
		kbench_sample(b, rq->cycles[i], 1);
	kbench_note(b, "deps_loaded", loaded_with);
	kbench_report(b, request_name);
}

KBENCH(crate_load, "crate_load")
{
	struct linker *l = bench_linker(b, "crate_load");
	if (!l)
		return;
	/* Room for the request timings, and a scratch copy of the largest image. */
	uint64_t rq_pages = ALIGN_UP(kbench_iterations(b) * sizeof(uint64_t), PAGE_SIZE) / PAGE_SIZE;
	uint64_t largest = 0;
	for (uint32_t id = 0; id < l->archive.crate_count; id++) {
		uint64_t size = archive_crate_at(&l->archive, id).elf_size;
		largest = size > largest ? size : largest;
	}
	uint64_t scratch_pages = ALIGN_UP(largest, PAGE_SIZE) / PAGE_SIZE;
	struct frame_result rq_frames = frames_alloc_contig(rq_pages);
	struct frame_result scratch = frames_alloc_contig(scratch_pages ? scratch_pages : 1);
	if (rq_frames.err != E_OK || scratch.err != E_OK) {
		kbench_fail(b, "no memory for the request timings");
		return;
	}
	struct request_samples rq = {phys_to_virt(rq_frames.value), 0};
	bench_log_fn log = bench_quiet_linker(l);
	for (uint32_t id = 0; id < l->archive.crate_count; id++)
		measure_crate(b, l, id, &rq, phys_to_virt(scratch.value), scratch_pages * PAGE_SIZE);
	crates_unload_unused(l);
	bench_restore_linker(l, log);
	for (uint64_t i = 0; i < rq_pages; i++)
		(void)frames_free(rq_frames.value + i * PAGE_SIZE);
	for (uint64_t i = 0; i < scratch_pages; i++)
		(void)frames_free(scratch.value + i * PAGE_SIZE);
}

/* ---- calls ---------------------------------------------------------------- */

static struct fmt_line_storage line;

KBENCH(call_cold_first, "call.cold_first")
{
	struct linker *l = bench_linker(b, "call.cold_first");
	if (!l)
		return;
	bench_log_fn log = bench_quiet_linker(l);
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		crates_unload_unused(l);
		struct linker_symbol sym;
		struct link_error err;
		uint64_t t0 = kbench_now();
		if (!status_ok(linker_resolve(l, callee, 0, &sym, &err))) {
			kbench_fail(b, "fmt_clear does not resolve");
			break;
		}
		((fmt_clear_fn)sym.address)(&line);
		kbench_sample(b, kbench_now() - t0, 1);
	}
	crates_unload_unused(l);
	bench_restore_linker(l, log);
	kbench_report(b, "call.cold_first");
}

/* Resolve the callee once, holding its crate loaded until release(). */
static fmt_clear_fn acquire(struct kbench_ctx *b, struct linker *l, struct linker_symbol *sym)
{
	struct link_error err;
	if (!l || !status_ok(linker_resolve(l, callee, LINKER_TAKE_REF, sym, &err))) {
		kbench_fail(b, "fmt_clear does not resolve");
		return NULL;
	}
	return (fmt_clear_fn)sym->address;
}

static void release(struct linker *l, const struct linker_symbol *sym)
{
	(void)linker_ref_put(l, sym->crate_id);
	crates_unload_unused(l);
}

KBENCH(call_resolve_warm, "call.resolve_warm")
{
	struct linker *l = crates_linker();
	struct linker_symbol held;
	if (!acquire(b, l, &held))
		return;
	bool ok = true;
	for (uint64_t i = 0; i < kbench_iterations(b) && ok; i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH && ok; k++) {
			struct linker_symbol sym;
			struct link_error err;
			ok = status_ok(linker_resolve(l, callee, 0, &sym, &err));
			if (ok)
				((fmt_clear_fn)sym.address)(&line);
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	if (ok)
		kbench_report(b, "call.resolve_warm");
	else
		kbench_fail(b, "fmt_clear stopped resolving");
	release(l, &held);
}

KBENCH(call_weak_upgrade, "call.weak_upgrade")
{
	struct linker *l = crates_linker();
	struct linker_symbol held;
	if (!acquire(b, l, &held))
		return;
	struct weak_ref ref;
	struct link_error err;
	if (!status_ok(linker_weak_ref(l, callee, &ref, &err))) {
		kbench_fail(b, "no weak reference to fmt_clear");
		release(l, &held);
		return;
	}
	bool ok = true;
	for (uint64_t i = 0; i < kbench_iterations(b) && ok; i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH && ok; k++) {
			struct linker_symbol sym;
			ok = status_ok(linker_weak_upgrade(l, &ref, &sym));
			if (ok) {
				((fmt_clear_fn)sym.address)(&line);
				(void)linker_ref_put(l, sym.crate_id);
			}
		}
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	if (ok)
		kbench_report(b, "call.weak_upgrade");
	else
		kbench_fail(b, "the weak reference did not upgrade");
	release(l, &held);
}

KBENCH(call_direct, "call.direct")
{
	struct linker *l = crates_linker();
	struct linker_symbol held;
	/* volatile: the compiler may not hoist or fold the calls */
	fmt_clear_fn volatile fn = acquire(b, l, &held);
	if (!fn)
		return;
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++)
			fn(&line);
		kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
	}
	kbench_report(b, "call.direct");
	release(l, &held);
}
