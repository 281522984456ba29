/* Live swap under tasks: quiescence is waited for, and refused past the
 * limit with the old crate still working; repeated swaps leak nothing. */
#include <theseus/alloc.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include "evolution.h"
#include <theseus/ktest.h>
#include "ktest_spin.h"
#include "memory.h"
#include "task.h"

CRATE("ktest_swap", "1.0.0", "test crate: live swap with tasks inside the swapped crate", "", "",
      "ktest_spin,ktest_handover,task,memory,evolution,heap,workload,channel");

static volatile bool keep_spinning;

static void spinner(uint64_t unused)
{
	(void)unused;
	spin_while(&keep_spinning);
	task_exit(0);
}

static struct status swap(struct str old, struct str new_crate, struct crate_error *why)
{
	why->text[0] = '\0';
	return evolution_swap(old, new_crate, why);
}

KTEST(swap_waits_for_quiescence, "swap.refused_while_a_task_stays_inside_then_allowed")
{
	struct crate_error why;
	KT_EXPECT(t, spin_version() == 1);
	keep_spinning = true;
	struct task_result r = task_spawn(STR("spinner"), spinner, 0, 0);
	KT_EXPECT(t, r.err == E_OK);
	task_sleep_ticks(5); /* it is inside ktest_spin now, and stays */

	struct status s = swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why);
	KT_EXPECT_MSG(t, s.err == E_TIMEOUT, "swap while inside: %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 1); /* OLD still in place and working */

	keep_spinning = false;
	int64_t code;
	KT_EXPECT(t, status_ok(task_join(r.value, &code)) && code == 0);
	s = swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap after it left: %s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 2);
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)));
	KT_EXPECT(t, spin_version() == 1);
}

KTEST(swap_missing_symbol_keeps_old, "swap.refused_for_a_crate_missing_an_import")
{
	struct crate_error why;
	/* hello exports nothing ktest_swap imports from ktest_spin. */
	struct status s = swap(STR("ktest_spin"), STR("hello"), &why);
	KT_EXPECT_MSG(t, s.err == E_NOENT, "got %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 1);
}

KTEST(swap_two_hundred_times_leaks_nothing, "swap.two_hundred_alternating_swaps_leak_nothing")
{
	struct crate_error why;
	/* Warm up: page tables and the linker's tables reach their size. */
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why)));
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)));
	struct memory_stats before = memory_stats(MEMORY_ALL_OWNERS);
	for (int i = 0; i < 100; i++) {
		KT_EXPECT_MSG(t, status_ok(swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why)), "swap %d: %s", 2 * i, STR_FROM_CSTR_ARRAY(why.text));
		KT_EXPECT_MSG(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)), "swap %d: %s", 2 * i + 1,
			      STR_FROM_CSTR_ARRAY(why.text));
	}
	KT_EXPECT(t, spin_version() == 1);
	struct memory_stats after = memory_stats(MEMORY_ALL_OWNERS);
	KT_EXPECT_MSG(t, after.frames_free == before.frames_free, "free frames %lu, were %lu", after.frames_free,
		      before.frames_free);
}

/* ---- the scheduling policy swapped under tasks that never yield -------- */

#define BUSY 8

/* Each busy task bumps its own counter: the evidence that it ran. */
static volatile uint64_t counters[BUSY];

static void busy_loop(uint64_t i)
{
	for (;;)
		counters[i % BUSY] += 1;
}

struct counts {
	uint64_t of[BUSY];
};

static bool all_advanced(const struct counts *before)
{
	for (int i = 0; i < BUSY; i++)
		if (counters[i] <= before->of[i])
			return false;
	return true;
}

static void snapshot(struct counts *out)
{
	for (int i = 0; i < BUSY; i++)
		out->of[i] = counters[i];
}

KTEST(tasks_policy_swap_under_load, "tasks.policy_swap_under_load")
{
	task_id ids[BUSY];
	for (int i = 0; i < BUSY; i++) {
		struct task_result r = task_spawn(STR("busy"), busy_loop, (uint64_t)i, 0);
		KT_EXPECT(t, r.err == E_OK);
		ids[i] = r.value;
	}
	static const char order[3][2][16] = {
		{"sched_rr", "sched_prio"}, {"sched_prio", "sched_rr"}, {"sched_rr", "sched_prio"}};
	struct counts before = {};
	for (int step = 0; step < 3; step++) {
		struct crate_error why;
		why.text[0] = '\0';
		struct str from = STR_FROM_CSTR_ARRAY((*ARRAY_AT(order, step))[0]);
		struct str to = STR_FROM_CSTR_ARRAY((*ARRAY_AT(order, step))[1]);
		struct status s = evolution_swap(from, to, &why);
		KT_EXPECT_MSG(t, status_ok(s), "swap %s -> %s: %s", from, to, STR_FROM_CSTR_ARRAY(why.text));
		snapshot(&before);
		task_sleep_ticks(60);
		KT_EXPECT_MSG(t, all_advanced(&before), "a task starved after swap %d", step);
		size_t running = 0, alive = 0;
		/* Too big for a task's stack (safe-C rule stack-frame). */
		struct task_list *list = NULL;
		KT_EXPECT(t, status_ok(HEAP_NEW(struct task_list, &list, task_current())));
		task_list(list);
		size_t n = list->count;
		for (size_t i = 0; i < n && i < TASK_MAX; i++) {
			running += list->tasks[i].state == TASK_RUNNING;
			for (int b = 0; b < BUSY; b++)
				alive += list->tasks[i].id == ids[b] && list->tasks[i].state != TASK_EXITED;
		}
		KT_EXPECT(t, status_ok(HEAP_FREE(list)));
		KT_EXPECT_MSG(t, running == 1, "%zu tasks running at once", running);
		KT_EXPECT_MSG(t, alive == BUSY, "only %zu of the busy tasks left", alive);
	}
	for (int i = 0; i < BUSY; i++)
		KT_EXPECT(t, status_ok(task_kill(ids[i])));
	/* Back to the default policy for the tests after this one. */
	struct crate_error why;
	KT_EXPECT(t, status_ok(evolution_swap(STR("sched_prio"), STR("sched_rr"), &why)));
}

