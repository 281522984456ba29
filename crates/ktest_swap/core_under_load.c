/* The core crates restarted and swapped while a workload runs: tasks
 * allocating and freeing, a producer and a consumer on a channel with
 * sequence numbers, a task sleeping a tick at a time. Afterwards the
 * workload checks itself: no message lost, duplicated or reordered, every
 * block freed, no corrupted block, every sleeper woke, and time never ran
 * back across the timer's restarts. */
#include <theseus/alloc.h>
#include <theseus/crate.h>
#include <theseus/ktest.h>
#include "channel.h"
#include "evolution.h"
#include "heap.h"
#include "task.h"
#include "timer.h"

#define ROUNDS 2
#define ALLOCATORS 2

/* What the workload saw; read after it has stopped. */
static struct {
	volatile bool stop;
	uint64_t blocks[ALLOCATORS], corrupt;
	uint64_t sent, received, out_of_order, send_errors;
	uint64_t wakeups, time_ran_back;
	struct channel pipe;
} load;

static void allocator(uint64_t which)
{
	while (!load.stop) {
		uint64_t *block = NULL;
		if (!status_ok(HEAP_NEW(uint64_t, &block, task_current()))) {
			load.corrupt++;
			break;
		}
		*block = 0xB10C000000000000ull | load.blocks[which % ALLOCATORS];
		task_yield();
		if (*block != (0xB10C000000000000ull | load.blocks[which % ALLOCATORS]))
			load.corrupt++;
		if (!status_ok(HEAP_FREE(block)))
			load.corrupt++;
		load.blocks[which % ALLOCATORS] += 1;
	}
	task_exit(0);
}

static void producer(uint64_t unused)
{
	(void)unused;
	for (uint64_t seq = 1; !load.stop; seq++) {
		if (!status_ok(channel_send(&load.pipe, STR_OF_BYTES(BYTES_OF(seq))))) {
			load.send_errors++;
			break;
		}
		load.sent = seq;
		if (seq % 8 == 0)
			task_sleep_ticks(1);
	}
	channel_close(&load.pipe);
	task_exit(0);
}

static void consumer(uint64_t unused)
{
	(void)unused;
	uint64_t expect = 1, seq = 0;
	size_t len = 0;
	while (status_ok(channel_recv(&load.pipe, BYTES_OF(seq), &len))) {
		if (len != sizeof seq || seq != expect)
			load.out_of_order++;
		expect = seq + 1;
		load.received++;
	}
	task_exit(0);
}

static void sleeper(uint64_t unused)
{
	(void)unused;
	uint64_t last = timer_ticks();
	while (!load.stop) {
		task_sleep_ticks(1);
		uint64_t now = timer_ticks();
		load.time_ran_back += now < last;
		last = now;
		load.wakeups++;
	}
	task_exit(0);
}

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
};

KTEST(core_crates_replaced_under_load, "swap.core_crates_replaced_under_load")
{
	load = (typeof(load)){};
	KT_EXPECT(t, status_ok(channel_init(&load.pipe, CHANNEL_ASYNC, 4)));
	/* Bytes held by objects, less the heap's own records (kernel-owned
	 * slab and owner records it keeps for reuse). */
	uint64_t heap_before = heap_stats(HEAP_ALL_OWNERS).bytes_in_use - heap_stats(HEAP_OWNER_KERNEL).bytes_in_use;
	task_id ids[ALLOCATORS + 3];
	size_t spawned = 0;
	for (uint64_t i = 0; i < ALLOCATORS; i++) {
		struct task_result r = task_spawn(STR("allocator"), allocator, i, 0);
		KT_EXPECT(t, r.err == E_OK);
		if (r.err == E_OK)
			ids[spawned++] = r.value;
	}
	struct task_result r = task_spawn(STR("producer"), producer, 0, 0);
	if (r.err == E_OK)
		ids[spawned++] = r.value;
	r = task_spawn(STR("consumer"), consumer, 0, 0);
	if (r.err == E_OK)
		ids[spawned++] = r.value;
	r = task_spawn(STR("sleeper"), sleeper, 0, 0);
	if (r.err == E_OK)
		ids[spawned++] = r.value;
	KT_EXPECT_MSG(t, spawned == ALLOCATORS + 3, "spawned %zu of the workload's tasks", spawned);
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
	uint64_t sent_during = load.sent, wakeups_during = load.wakeups;
	uint64_t blocks_during = load.blocks[0] + load.blocks[1];

	load.stop = true;
	for (size_t i = 0; i < spawned; i++) {
		int64_t code = -1;
		KT_EXPECT(t, status_ok(task_join(*ARRAY_AT(ids, i), &code)) && code == 0);
	}
	KT_EXPECT_MSG(t, done == ROUNDS * (sizeof steps / sizeof steps[0]), "%zu replacements took", done);
	KT_EXPECT_MSG(t, sent_during > 50 && blocks_during > 50 && wakeups_during > 50,
		      "the workload ran: %lu sent, %lu blocks, %lu wake-ups", sent_during, blocks_during, wakeups_during);
	KT_EXPECT_MSG(t, load.received == load.sent && load.out_of_order == 0 && load.send_errors == 0,
		      "channel: %lu sent, %lu received, %lu out of order, %lu send errors", load.sent, load.received,
		      load.out_of_order, load.send_errors);
	KT_EXPECT_MSG(t, load.corrupt == 0, "%lu blocks corrupted or not freed", load.corrupt);
	KT_EXPECT_MSG(t, load.time_ran_back == 0, "the tick count ran back %lu times", load.time_ran_back);
	uint64_t heap_after = heap_stats(HEAP_ALL_OWNERS).bytes_in_use - heap_stats(HEAP_OWNER_KERNEL).bytes_in_use;
	KT_EXPECT_MSG(t, heap_after == heap_before, "heap bytes in use %lu, were %lu", heap_after, heap_before);
}
