/* The core crates restarted and swapped while the workload crate's load
 * runs (crates/workload: tasks allocating and freeing, a producer and a
 * consumer on a channel with sequence numbers, a task sleeping a tick at
 * a time). Afterwards the workload checks itself: no message lost,
 * duplicated or reordered, every block freed, no corrupted block, every
 * sleeper woke, and time never ran back across the timer's restarts. */
#include <theseus/alloc.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "evolution.h"
#include "heap.h"
#include "task.h"
#include "workload.h"

#define ROUNDS 2

/* One step of the evolution: a restart (keeping state) or a swap. */
struct step {
	char what[8];
	char old_crate[16];
	char new_crate[16];
};

static const struct step steps[] = {
	{"restart", "memory", ""},    {"restart", "timer", ""},          {"restart", "state_store", ""},
	{"restart", "pqueue", ""},    {"swap", "sched_rr", "sched_prio"}, {"swap", "sched_prio", "sched_rr"},
	{"restart", "fmt", ""},       {"restart", "log", ""},            {"restart", "interrupts", ""},
	{"restart", "heap", ""},      {"swap", "heap", "heap_v2"},       {"swap", "heap_v2", "heap"},
	/* Every workload task is switched out inside task: its table is
	 * shared with the new version and the old one retired. */
	{"restart", "task", ""},      {"swap", "task", "task_v2"},       {"swap", "task_v2", "task"},
	{"restart", "channel", ""},
};

#define LISTED_MAX 64

struct crate_listing {
	struct crate_summary of[LISTED_MAX];
};

/* Retired crates still placed (tasks still ran in them), or SIZE_MAX
 * when the list cannot be had. */
static size_t retired_left(void)
{
	struct crate_listing *list = NULL;
	if (!status_ok(HEAP_NEW(struct crate_listing, &list, task_current())))
		return SIZE_MAX;
	size_t n = kernel_crate_list(list->of, LISTED_MAX), retired = 0;
	for (size_t i = 0; i < n && i < LISTED_MAX; i++)
		retired += ARRAY_AT(list->of, i)->retired;
	return status_ok(HEAP_FREE(list)) ? retired : SIZE_MAX;
}

KTEST(core_crates_replaced_under_load, "swap.core_crates_replaced_under_load")
{
	/* Bytes held by objects, less the heap's own records (kernel-owned
	 * slab and owner records it keeps for reuse). */
	uint64_t heap_before = heap_stats(HEAP_ALL_OWNERS).bytes_in_use - heap_stats(HEAP_OWNER_KERNEL).bytes_in_use;
	struct status started = workload_start();
	KT_EXPECT_MSG(t, status_ok(started), "the workload did not start: %d", started.err);
	task_sleep_ticks(20);

	size_t done = 0;
	for (int round = 0; round < ROUNDS; round++) {
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			const struct step *s = ARRAY_AT(steps, i);
			struct crate_error why = {""};
			struct str old_crate = STR_FROM_CSTR_ARRAY(s->old_crate);
			struct status st = str_eq(STR_FROM_CSTR_ARRAY(s->what), STR("restart"))
						   ? evolution_restart(old_crate, false, &why)
						   : evolution_swap(old_crate, STR_FROM_CSTR_ARRAY(s->new_crate), &why);
			KT_EXPECT_MSG(t, status_ok(st), "round %d: %s %s %s: %s", round, STR_FROM_CSTR_ARRAY(s->what),
				      old_crate, STR_FROM_CSTR_ARRAY(s->new_crate), STR_FROM_CSTR_ARRAY(why.text));
			done += status_ok(st);
			task_sleep_ticks(5);
		}
	}
	struct workload_figures during, end;
	KT_EXPECT(t, status_ok(workload_progress(&during)));
	struct status verdict = workload_stop(&end);
	KT_EXPECT_MSG(t, end.stuck == 0, "%lu of the workload's tasks did not end or failed", end.stuck);
	KT_EXPECT_MSG(t, done == ROUNDS * (sizeof steps / sizeof steps[0]), "%zu replacements took", done);
	KT_EXPECT_MSG(t, during.sent > 50 && during.blocks > 50 && during.wakeups > 50,
		      "the workload ran: %lu sent, %lu blocks, %lu wake-ups", during.sent, during.blocks, during.wakeups);
	KT_EXPECT_MSG(t, end.received == end.sent && end.lost == 0 && end.duplicated == 0 && end.send_errors == 0,
		      "channel: %lu sent, %lu received, %lu lost, %lu duplicated, %lu send errors", end.sent,
		      end.received, end.lost, end.duplicated, end.send_errors);
	KT_EXPECT_MSG(t, end.corrupt == 0 && end.refused == 0 && end.leaked == 0,
		      "blocks: %lu corrupted or not freed, %lu refused, %lu left on the heap", end.corrupt, end.refused,
		      end.leaked);
	KT_EXPECT_MSG(t, end.ran_back == 0, "the tick count ran back %lu times", end.ran_back);
	KT_EXPECT(t, status_ok(verdict));
	uint64_t heap_after = heap_stats(HEAP_ALL_OWNERS).bytes_in_use - heap_stats(HEAP_OWNER_KERNEL).bytes_in_use;
	KT_EXPECT_MSG(t, heap_after == heap_before, "heap bytes in use %lu, were %lu", heap_after, heap_before);
	/* The versions of task retired on the way go once nothing runs in
	 * them. The workload's tasks started in the first one and kept it
	 * until they ended, just now: it goes now, and none is left. */
	size_t reaped = kernel_crate_reap_retired();
	size_t left = retired_left();
	KT_EXPECT_MSG(t, reaped >= 1, "no retired version was left for the workload's tasks' end (%zu)", reaped);
	KT_EXPECT_MSG(t, left == 0, "%zu retired crates left (%zu unloaded now)", left, reaped);
}
