#include "bench_support.h"
#include "core/service_calls.h"
#include <theseus/cpu.h>

#define IDLE_WAIT_TICKS 1000

bench_log_fn bench_quiet_linker(struct linker *l)
{
	bench_log_fn log = l->env.log;
	l->env.log = NULL; /* allowed: the env says log may be NULL */
	return log;
}

void bench_restore_linker(struct linker *l, bench_log_fn log) { l->env.log = log; }

bool bench_linker_idle(struct linker *l)
{
	bool irq = cpu_irq_save();
	for (int tick = 0; l->busy && tick < IDLE_WAIT_TICKS; tick++) {
		cpu_irq_restore(irq);
		service_sleep(1);
		irq = cpu_irq_save();
	}
	return irq;
}

bool bench_get(struct kbench_ctx *b, struct linker *l, const char *figure, const char *crate,
	       const char *symbol, struct linker_symbol *out)
{
	if (!l || archive_find_provider(&l->archive, symbol, NULL) == ARCHIVE_NO_CRATE) {
		char why[96];
		ksnprintf(why, sizeof why, "not measured yet: needs crate %s", crate);
		kbench_skip(b, figure, why);
		return false;
	}
	struct link_error err;
	if (!status_ok(linker_resolve(l, symbol, LINKER_TAKE_REF, out, &err))) {
		char why[200];
		link_error_format(&err, why, sizeof why);
		kbench_fail(b, why);
		return false;
	}
	return true;
}

void bench_put(struct linker *l, const struct linker_symbol *sym) { (void)linker_ref_put(l, sym->crate_id); }

struct linker *bench_linker(struct kbench_ctx *b, const char *figure)
{
	struct linker *l = crates_linker();
	if (!l)
		kbench_skip(b, figure, "no crate archive");
	return l;
}
