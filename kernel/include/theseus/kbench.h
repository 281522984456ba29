/* Trusted header: in-kernel benchmarks, for the nano-core and for crates.
 *
 *   KBENCH(heap_small, "heap.alloc_free")
 *   {
 *           for (uint64_t i = 0; i < kbench_iterations(b); i++) {
 *                   uint64_t t0 = kbench_now();
 *                   for (unsigned k = 0; k < KBENCH_BATCH; k++)
 *                           ...one allocation and free...
 *                   kbench_sample(b, kbench_now() - t0, KBENCH_BATCH);
 *           }
 *           kbench_report(b, "heap.alloc_free");
 *   }
 *
 * Each KBENCH places a record in a .kbench.* section of the object that
 * defines it; the runner (booted with `bench=...`) walks the nano-core's
 * records and, for every archive crate with such a section, loads the crate
 * and walks its records, as the test runner does for KTEST. A benchmark
 * takes samples and reports one or more named results; each report prints
 * one line `KBENCH RESULT name=... unit=cycles median=... min=... max=...
 * n=... batch=...` plus the notes attached to it. Line protocol and
 * figures: benchmarks/README.md. Benchmarks never assert times. */
#ifndef THESEUS_KBENCH_API_H
#define THESEUS_KBENCH_API_H

#include <stdint.h>
#include <theseus/slice.h>

/* The runner's state for one benchmark: opaque, reached through the calls
 * below. */
struct kbench_ctx;

enum kbench_flags {
	KBENCH_MANUAL = 1, /* only when named explicitly */
	KBENCH_FIRST = 2,  /* runs before every other benchmark (boot figures) */
};

struct kbench {
	const char *name;
	void (*fn)(struct kbench_ctx *b);
	unsigned flags;
};

#define KBENCH_FLAGS(ident, NAME, FLAGS)                                        \
	_Static_assert(sizeof(slice_literal_check_(NAME)) == 1,                 \
		       "KBENCH name: a string literal");                        \
	static void kbench_fn_##ident(struct kbench_ctx *b);                    \
	__attribute__((used, section(".kbench." #ident))) static const struct kbench \
		kbench_rec_##ident = {NAME, kbench_fn_##ident, FLAGS};          \
	static void kbench_fn_##ident([[maybe_unused]] struct kbench_ctx *b)

#define KBENCH(ident, NAME) KBENCH_FLAGS(ident, NAME, 0)

/* Operations too short for one timestamp pair are timed this many at a
 * time; a sample is then the mean of the batch. The Linux baseline uses
 * the same size. */
#define KBENCH_BATCH 64

/* The time-stamp counter, after every earlier instruction has finished.
 * Under QEMU's TCG it reads host time; with -icount it counts guest
 * instructions. */
static inline uint64_t kbench_now(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* How many samples to take (the `bench_iters=` word; 1000 by default). */
uint64_t kbench_iterations(const struct kbench_ctx *b);

/* One sample: `cycles` spent on `ops` repetitions of the operation. */
void kbench_sample(struct kbench_ctx *b, uint64_t cycles, uint64_t ops);

/* The names, keys and reasons below are read as NUL-terminated text:
 * crate code passes string literals (safe-C rule macro-operand). */

/* A `key=value` to print with the next report (bytes, relocations...). */
void kbench_note(struct kbench_ctx *b, STRING_LITERAL_ARG const char *key, uint64_t value);

/* Print the result `name` over the samples taken since the last report
 * (median, min, max), then start over with no samples and no notes. */
void kbench_report(struct kbench_ctx *b, STRING_LITERAL_ARG const char *name);
/* The same for a name made at run time (a view: read up to its length). */
void kbench_report_str(struct kbench_ctx *b, struct str name);

/* The figure `name` cannot be measured in this system (e.g. a crate it
 * needs is not in the archive): `KBENCH SKIP name reason`, no number. */
void kbench_skip(struct kbench_ctx *b, STRING_LITERAL_ARG const char *name,
		 STRING_LITERAL_ARG const char *reason);

/* The same for a name and a reason made at run time. */
void kbench_skip_str(struct kbench_ctx *b, struct str name, struct str reason);

/* The benchmark went wrong: it is reported as failed with this reason. */
void kbench_fail(struct kbench_ctx *b, STRING_LITERAL_ARG const char *reason);

#endif
