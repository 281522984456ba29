/* Helpers the nano-core's benchmarks share (benchmarks/kernel/). */
#ifndef THESEUS_BENCH_SUPPORT_H
#define THESEUS_BENCH_SUPPORT_H

#include "core/records.h"
#include "core/crate_env.h"

/* The nano-core's linker, or NULL after reporting `KBENCH SKIP figure`
 * when the boot had no crate archive. */
struct linker *bench_linker(struct kbench_ctx *b, const char *figure);

/* The linker logs every load on the serial port; timed loops switch that
 * off (the line would be timed too) and put it back afterwards. */
typedef void (*bench_log_fn)(void *ctx, const char *const *pieces, size_t count);
bench_log_fn bench_quiet_linker(struct linker *l);
void bench_restore_linker(struct linker *l, bench_log_fn log);

/* The linker is shared with the running system: a boot task loads its
 * crate whenever it first runs (the recovery crate's scrubber), and a
 * benchmark's own request then finds it busy. Returns with interrupts off
 * (give the result to cpu_irq_restore) once no request is in progress, so
 * that none starts before the caller's own; waits about a second at most. */
bool bench_linker_idle(struct linker *l);

/* Resolve `symbol` for the benchmark of `figure`, loading its crate on
 * demand and holding it (drop with bench_put). When no crate of the
 * archive exports it, reports `KBENCH SKIP figure not measured yet: needs
 * crate CRATE` and returns false; a failed load fails the benchmark. */
bool bench_get(struct kbench_ctx *b, struct linker *l, const char *figure, const char *crate,
	       const char *symbol, struct linker_symbol *out);
void bench_put(struct linker *l, const struct linker_symbol *sym);

#endif
