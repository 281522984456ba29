/* In-kernel tests of tasks and scheduling, run from this crate's .ktests
 * section by the nano-core's test runner (in the boot context, which the
 * task crate adopts as the "kernel" task). */
#include <theseus/alloc.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "heap.h"
#include "memory.h"
#include "task.h"

#define BUSY 8

/* Each busy task bumps its own counter: the evidence that it ran. */
static KTEST_SCRATCH volatile uint64_t counters[BUSY];

static void busy_loop(uint64_t i)
{
	for (;;)
		counters[i % BUSY] += 1;
}

static void exit_with(uint64_t code) { task_exit((int64_t)code); }

static void allocate_then_exit(uint64_t pages)
{
	struct mapping_result m = memory_map(pages, MEMORY_READ_WRITE, task_current());
	uint64_t *objects[4] = {};
	for (int i = 0; i < 4; i++)
		if (!status_ok(HEAP_NEW(uint64_t, ARRAY_AT(objects, i), task_current())))
			task_exit(-1);
	task_exit(m.err == E_OK ? 0 : -2);
}

static void allocate_then_sleep(uint64_t pages)
{
	struct mapping_result m = memory_map(pages, MEMORY_READ_WRITE, task_current());
	uint64_t *object = NULL;
	if (m.err != E_OK || !status_ok(HEAP_NEW(uint64_t, &object, task_current())))
		task_exit(-1);
	for (;;)
		task_sleep_ticks(1000);
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

KTEST(tasks_spawn_join_exit_code, "tasks.spawn_join_exit_code")
{
	struct task_result r = task_spawn(STR("exit7"), exit_with, 7, 0);
	KT_EXPECT(t, r.err == E_OK);
	int64_t code = 0;
	KT_EXPECT(t, status_ok(task_join(r.value, &code)));
	KT_EXPECT_MSG(t, code == 7, "exit code %ld", code);
	KT_EXPECT(t, task_join(0x7f00ff, &code).err == E_NOENT);
}

KTEST(tasks_join_after_the_slot_was_taken_again, "tasks.join_after_the_slot_was_taken_again")
{
	/* A task ends; before anyone joins it, the next spawn takes its slot
	 * (the first free or ended one): the join still gets its code. */
	struct task_result first = task_spawn(STR("exit9"), exit_with, 9, 0);
	KT_EXPECT(t, first.err == E_OK);
	task_sleep_ticks(2); /* it runs and ends */
	struct task_result second = task_spawn(STR("exit3"), exit_with, 3, 0);
	KT_EXPECT(t, second.err == E_OK);
	KT_EXPECT_MSG(t, (second.value & 0xff) == (first.value & 0xff), "slot %lu, then %lu", first.value & 0xff,
		      second.value & 0xff);
	int64_t code = 0;
	KT_EXPECT(t, status_ok(task_join(first.value, &code)));
	KT_EXPECT_MSG(t, code == 9, "exit code %ld", code);
	KT_EXPECT(t, status_ok(task_join(second.value, &code)));
	KT_EXPECT_MSG(t, code == 3, "exit code %ld", code);
}

KTEST(tasks_sleep_wakes_after_ticks, "tasks.sleep_wakes_after_ticks")
{
	uint64_t start = task_ticks();
	task_sleep_ticks(20);
	KT_EXPECT_MSG(t, task_ticks() - start >= 20, "woke after %lu ticks", task_ticks() - start);
}

KTEST(tasks_eight_busy_tasks_progress, "tasks.eight_busy_tasks_progress")
{
	task_id ids[BUSY];
	for (int i = 0; i < BUSY; i++) {
		struct task_result r = task_spawn(STR("busy"), busy_loop, (uint64_t)i, 0);
		KT_EXPECT(t, r.err == E_OK);
		ids[i] = r.value;
	}
	struct counts before = {};
	/* The busy tasks never yield: only preemption lets this task run again. */
	for (int round = 0; round < 3; round++) {
		snapshot(&before);
		task_sleep_ticks(60);
		KT_EXPECT_MSG(t, all_advanced(&before), "a busy task starved in round %d", round);
	}
	for (int i = 0; i < BUSY; i++) {
		int64_t code;
		KT_EXPECT(t, status_ok(task_kill(ids[i])));
		KT_EXPECT(t, status_ok(task_join(ids[i], &code)) && code == TASK_KILLED);
	}
}

KTEST(tasks_resources_freed_on_exit_and_kill, "tasks.resources_freed_on_exit_and_kill")
{
	/* Per owner: the heap keeps freed slabs mapped for reuse (as its own
	 * owner), so totals would not return; what the task owned must. */
	int64_t code;
	struct task_result r = task_spawn(STR("alloc-exit"), allocate_then_exit, 3, 0);
	KT_EXPECT(t, r.err == E_OK);
	KT_EXPECT(t, status_ok(task_join(r.value, &code)) && code == 0);
	task_yield(); /* an exited task is reaped by whoever runs next */
	KT_EXPECT_MSG(t, memory_stats(r.value).pages_mapped == 0, "%lu pages left after exit",
		      memory_stats(r.value).pages_mapped);
	KT_EXPECT_MSG(t, heap_stats(r.value).objects == 0, "%lu heap objects left after exit",
		      heap_stats(r.value).objects);

	struct task_result s = task_spawn(STR("alloc-sleep"), allocate_then_sleep, 2, 0);
	KT_EXPECT(t, s.err == E_OK);
	task_sleep_ticks(5);
	/* Its stack (with guard) and its two pages; one heap object. */
	KT_EXPECT_MSG(t, memory_stats(s.value).pages_mapped >= TASK_STACK_PAGES + 2, "the sleeper holds %lu pages",
		      memory_stats(s.value).pages_mapped);
	KT_EXPECT(t, heap_stats(s.value).objects == 1);
	KT_EXPECT(t, status_ok(task_kill(s.value)));
	KT_EXPECT(t, status_ok(task_join(s.value, &code)) && code == TASK_KILLED);
	KT_EXPECT_MSG(t, memory_stats(s.value).pages_mapped == 0, "%lu pages left after kill",
		      memory_stats(s.value).pages_mapped);
	KT_EXPECT(t, heap_stats(s.value).objects == 0);
}

KTEST(tasks_kill_errors, "tasks.kill_errors")
{
	KT_EXPECT(t, task_kill(0x12345).err == E_NOENT);
	int64_t code;
	struct task_result r = task_spawn(STR("exit0"), exit_with, 0, 0);
	KT_EXPECT(t, r.err == E_OK && status_ok(task_join(r.value, &code)));
	KT_EXPECT(t, task_kill(r.value).err == E_NOENT); /* already ended */
}

/* Strong references to crate `name` (kernel_crate_list), or UINT32_MAX. */
static uint32_t refs_of(struct str name)
{
	static KTEST_SCRATCH struct crate_summary list[64];
	size_t n = kernel_crate_list(list, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		if (list[i].loaded && str_eq(STR_FROM_CSTR_ARRAY(list[i].name), name))
			return list[i].refcount;
	return UINT32_MAX;
}

KTEST(tasks_kill_of_a_preempted_task_drops_handler_references,
      "tasks.kill_of_a_preempted_task_drops_handler_references")
{
	/* A busy task is switched out inside the timer's handler call, which
	 * holds strong references to the handler crates; killed there, it
	 * never returns to drop them, so the reaper has the nano-core do it. */
	uint32_t task_refs = refs_of(STR("task")), irq_refs = refs_of(STR("interrupts"));
	task_id ids[BUSY];
	for (int i = 0; i < BUSY; i++) {
		struct task_result r = task_spawn(STR("busy"), busy_loop, (uint64_t)i, 0);
		KT_EXPECT(t, r.err == E_OK);
		ids[i] = r.value;
	}
	task_sleep_ticks(40);
	KT_EXPECT_MSG(t, refs_of(STR("task")) > task_refs, "no handler call held the task crate (%u refs)",
		      refs_of(STR("task")));
	for (int i = 0; i < BUSY; i++) {
		int64_t code;
		KT_EXPECT(t, status_ok(task_kill(ids[i])));
		KT_EXPECT(t, status_ok(task_join(ids[i], &code)) && code == TASK_KILLED);
	}
	task_yield(); /* ended tasks are reaped by whoever runs next */
	KT_EXPECT_MSG(t, refs_of(STR("task")) == task_refs, "task crate: %u strong references, %u before",
		      refs_of(STR("task")), task_refs);
	KT_EXPECT_MSG(t, refs_of(STR("interrupts")) == irq_refs, "interrupts crate: %u strong references, %u before",
		      refs_of(STR("interrupts")), irq_refs);
}
