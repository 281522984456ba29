/* Benchmarks of the task crate, run by the nano-core's benchmark runner
 * from the boot context (which this crate adopts as its "kernel" task),
 * beside their Linux counterparts (benchmarks/figures.py):
 *   task.spawn_exit       task_spawn of a task that exits at once and
 *                         task_join of it (stack mapping, first switch,
 *                         exit, reaping included)
 *   sched.context_switch  two tasks of one priority handing the CPU to
 *                         each other with task_yield: a batch of yields by
 *                         the kernel task, two switches each
 *                         (partner_turns shows the partner ran) */
#include <theseus/kbench.h>
#include <theseus/ktest.h> /* KTEST_SCRATCH */
#include "task.h"

static void exit_at_once(uint64_t code) { task_exit((int64_t)code); }

KBENCH(task_spawn_exit, "task.spawn_exit")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		int64_t code = -1;
		uint64_t t0 = kbench_now();
		struct task_result r = task_spawn(STR("bench"), exit_at_once, 0, 0);
		if (r.err != E_OK || !status_ok(task_join(r.value, &code)) || code != 0) {
			kbench_fail(b, "spawn or join failed");
			return;
		}
		kbench_sample(b, kbench_now() - t0, 1);
	}
	kbench_report(b, "task.spawn_exit");
}

static KTEST_SCRATCH volatile bool partner_stop;
static KTEST_SCRATCH volatile uint64_t partner_turns;

static void yield_partner(uint64_t unused)
{
	(void)unused;
	while (!partner_stop) {
		partner_turns++;
		task_yield();
	}
	task_exit(0);
}

KBENCH(sched_context_switch, "sched.context_switch")
{
	partner_stop = false;
	partner_turns = 0;
	/* The kernel task runs at priority 0: the partner shares it. */
	struct task_result partner = task_spawn(STR("yield-partner"), yield_partner, 0, 0);
	if (partner.err != E_OK) {
		kbench_fail(b, "cannot spawn the partner task");
		return;
	}
	task_yield(); /* let it start */
	uint64_t before = partner_turns;
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		for (unsigned k = 0; k < KBENCH_BATCH; k++)
			task_yield();
		kbench_sample(b, kbench_now() - t0, 2 * KBENCH_BATCH);
	}
	uint64_t turns = partner_turns - before;
	partner_stop = true;
	int64_t code;
	if (!status_ok(task_join(partner.value, &code)))
		kbench_fail(b, "the partner task did not end");
	kbench_note(b, "kernel_yields", kbench_iterations(b) * KBENCH_BATCH);
	kbench_note(b, "partner_turns", turns);
	kbench_report(b, "sched.context_switch");
}
