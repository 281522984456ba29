/* The channel crate replaced while tasks wait on channels: a blocked
 * receiver and a sender blocked on a full channel wait in the task crate
 * (the endpoint code of channel.h), never inside the channel crate, so
 * the swap finds it quiescent at once. Afterwards both are served by the
 * new version: nothing lost, nothing doubled, order kept. */
#include <theseus/alloc.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "channel.h"
#include "evolution.h"
#include "task.h"

/* Shared with the waiting tasks (a task's argument is a number). */
static KTEST_SCRATCH struct channel empty, full;

static void receive_one(uint64_t unused)
{
	(void)unused;
	uint64_t value = 0;
	size_t len = 0;
	struct status s = channel_recv(&empty, BYTES_OF(value), &len);
	task_exit(s.err == E_OK && len == sizeof value ? (int64_t)value : -1);
}

static void send_one(uint64_t value)
{
	uint64_t copy = value;
	task_exit(status_ok(channel_send(&full, STR_OF_BYTES(BYTES_OF(copy)))) ? 0 : -1);
}

/* Wait (a tick at a time, at most 2 s at 100 Hz) until task id blocks. */
static bool blocks_soon(task_id id)
{
	struct task_list *list = NULL;
	if (!status_ok(HEAP_NEW(struct task_list, &list, task_current())))
		return false;
	bool blocked = false;
	for (unsigned tries = 0; tries < 200 && !blocked; tries++) {
		task_list(list);
		for (size_t i = 0; i < list->count && i < TASK_MAX; i++)
			if (list->tasks[i].id == id)
				blocked = list->tasks[i].state == TASK_BLOCKED;
		if (!blocked)
			task_sleep_ticks(1);
	}
	return status_ok(HEAP_FREE(list)) && blocked;
}

static uint32_t swaps_of_channel(void)
{
	struct crate_handle h;
	struct crate_summary about;
	struct crate_error why;
	return status_ok(kernel_crate_find(STR("channel"), &h, &why)) && status_ok(kernel_crate_describe(&h, &about))
		       ? about.swaps
		       : UINT32_MAX;
}

KTEST(swap_channel_while_tasks_wait, "swap.channel_while_tasks_wait")
{
	struct crate_error why = {""};
	KT_EXPECT(t, status_ok(channel_init(&empty, CHANNEL_RENDEZVOUS, 1)));
	KT_EXPECT(t, status_ok(channel_init(&full, CHANNEL_ASYNC, 1)));
	uint64_t first = 7;
	KT_EXPECT(t, status_ok(channel_send(&full, STR_OF_BYTES(BYTES_OF(first)))));
	struct task_result receiver = task_spawn(STR("kt-chan-recv"), receive_one, 0, 0);
	struct task_result sender = task_spawn(STR("kt-chan-send"), send_one, 8, 0);
	KT_EXPECT(t, receiver.err == E_OK && sender.err == E_OK);
	KT_EXPECT_MSG(t, blocks_soon(receiver.value) && blocks_soon(sender.value),
		      "the receiver and the sender did not block");

	uint32_t swaps = swaps_of_channel();
	struct status s = evolution_restart(STR("channel"), false, &why); /* swap channel channel */
	KT_EXPECT_MSG(t, status_ok(s), "restart channel with two tasks waiting: %s",
		      STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, swaps_of_channel() == swaps + 1);

	/* The rendezvous send returns once the waiting receiver has it. */
	uint64_t sent = 0x51DE;
	KT_EXPECT(t, status_ok(channel_send(&empty, STR_OF_BYTES(BYTES_OF(sent)))));
	int64_t code = 0;
	KT_EXPECT(t, status_ok(task_join(receiver.value, &code)));
	KT_EXPECT_MSG(t, code == 0x51DE, "the receiver got %ld", code);

	/* The full channel: the queued message, then the waiting sender's. */
	uint64_t got = 0;
	size_t len = 0;
	KT_EXPECT(t, status_ok(channel_recv(&full, BYTES_OF(got), &len)) && len == sizeof got && got == 7);
	KT_EXPECT(t, status_ok(channel_recv(&full, BYTES_OF(got), &len)) && len == sizeof got && got == 8);
	KT_EXPECT(t, status_ok(task_join(sender.value, &code)) && code == 0);
	KT_EXPECT(t, channel_try_recv(&full, BYTES_OF(got), &len).err == E_BUSY);
}
