/* In-kernel tests of channels: ordering, blocking both ways, typed use. */
#include <theseus/alloc.h>
#include <theseus/ktest.h>
#include "channel.h"
#include "task.h"

struct point {
	int32_t x, y;
};
CHANNEL_OF(point_chan, struct point)

/* The channels the helper tasks use live here, owned by the tests. */
static KTEST_SCRATCH struct channel shared;

static void send_three_points(uint64_t first)
{
	for (int32_t i = 0; i < 3; i++) {
		struct point p = {(int32_t)first + i, -i};
		if (!status_ok(point_chan_send(&shared, &p)))
			task_exit(-1);
	}
	task_exit(0);
}

static void receive_one(uint64_t expect)
{
	struct point p;
	struct status s = point_chan_recv(&shared, &p);
	task_exit(s.err == E_OK && (uint64_t)p.x == expect ? 0 : -1);
}

static bool task_is_blocked(task_id id)
{
	/* The list is too big for a task's stack (safe-C rule stack-frame). */
	struct task_list *list = NULL;
	if (!status_ok(HEAP_NEW(struct task_list, &list, task_current())))
		return false;
	task_list(list);
	bool blocked = false;
	for (size_t i = 0; i < list->count && i < TASK_MAX; i++)
		if (list->tasks[i].id == id)
			blocked = list->tasks[i].state == TASK_BLOCKED;
	return status_ok(HEAP_FREE(list)) && blocked;
}

KTEST(channel_async_keeps_order, "channel.async_keeps_order")
{
	struct channel c;
	unsigned char buf[CHANNEL_MSG_MAX];
	size_t len;
	KT_EXPECT(t, status_ok(channel_init(&c, CHANNEL_ASYNC, 4)));
	KT_EXPECT(t, status_ok(channel_send(&c, STR("one"))));
	KT_EXPECT(t, status_ok(channel_send(&c, STR("two"))));
	KT_EXPECT(t, status_ok(channel_send(&c, STR("three"))));
	KT_EXPECT(t, status_ok(channel_recv(&c, BYTES_OF(buf), &len)) && len == 3 && buf[0] == 'o');
	KT_EXPECT(t, status_ok(channel_recv(&c, BYTES_OF(buf), &len)) && len == 3 && buf[0] == 't' && buf[1] == 'w');
	KT_EXPECT(t, status_ok(channel_recv(&c, BYTES_OF(buf), &len)) && len == 5 && buf[4] == 'e');
	KT_EXPECT(t, channel_try_recv(&c, BYTES_OF(buf), &len).err == E_BUSY);
	for (int i = 0; i < 4; i++)
		KT_EXPECT(t, status_ok(channel_try_send(&c, STR("x"))));
	KT_EXPECT(t, channel_try_send(&c, STR("full")).err == E_BUSY);
	channel_close(&c);
	KT_EXPECT(t, channel_send(&c, STR("late")).err == E_PERM);
	for (int i = 0; i < 4; i++)
		KT_EXPECT(t, status_ok(channel_recv(&c, BYTES_OF(buf), &len))); /* drains */
	KT_EXPECT(t, channel_recv(&c, BYTES_OF(buf), &len).err == E_NOENT);
}

KTEST(channel_bad_arguments, "channel.bad_arguments")
{
	struct channel c;
	unsigned char small[2];
	size_t len;
	KT_EXPECT(t, channel_init(&c, CHANNEL_ASYNC, 0).err == E_INVAL);
	KT_EXPECT(t, channel_init(&c, CHANNEL_ASYNC, CHANNEL_CAPACITY_MAX + 1).err == E_INVAL);
	KT_EXPECT(t, status_ok(channel_init(&c, CHANNEL_ASYNC, 2)));
	static const char big[CHANNEL_MSG_MAX + 2] = "too long";
	KT_EXPECT(t, channel_send(&c, STR_FROM_ARRAY(big, sizeof big)).err == E_RANGE);
	KT_EXPECT(t, status_ok(channel_send(&c, STR("abc"))));
	KT_EXPECT(t, channel_recv(&c, BYTES_OF(small), &len).err == E_RANGE);
}

KTEST(channel_receiver_blocks_until_sent, "channel.receiver_blocks_until_sent")
{
	KT_EXPECT(t, status_ok(channel_init(&shared, CHANNEL_ASYNC, 2)));
	struct task_result r = task_spawn(STR("receiver"), receive_one, 41, 0);
	KT_EXPECT(t, r.err == E_OK);
	task_sleep_ticks(10);
	KT_EXPECT_MSG(t, task_is_blocked(r.value), "the receiver did not block on the empty channel");
	struct point p = {41, 0};
	KT_EXPECT(t, status_ok(point_chan_send(&shared, &p)));
	int64_t code;
	KT_EXPECT(t, status_ok(task_join(r.value, &code)));
	KT_EXPECT_MSG(t, code == 0, "the receiver got something else (exit %ld)", code);
}

KTEST(channel_rendezvous_sender_waits_for_receiver, "channel.rendezvous_sender_waits_for_receiver")
{
	KT_EXPECT(t, status_ok(channel_init(&shared, CHANNEL_RENDEZVOUS, 0)));
	struct task_result r = task_spawn(STR("sender"), send_three_points, 100, 0);
	KT_EXPECT(t, r.err == E_OK);
	task_sleep_ticks(10);
	/* One message sits in the channel and its sender waits for it to be taken. */
	KT_EXPECT_MSG(t, task_is_blocked(r.value), "the rendezvous sender did not wait");
	KT_EXPECT(t, shared.sent == 1 && shared.taken == 0);
	for (int32_t i = 0; i < 3; i++) {
		struct point p;
		KT_EXPECT(t, status_ok(point_chan_recv(&shared, &p)));
		KT_EXPECT_MSG(t, p.x == 100 + i && p.y == -i, "message %d was (%d, %d)", i, p.x, p.y);
	}
	int64_t code;
	KT_EXPECT(t, status_ok(task_join(r.value, &code)) && code == 0);
}

KTEST(channel_killed_waiters_leave_it_usable, "channel.killed_waiters_leave_it_usable")
{
	/* A task killed while it waits on a channel leaves its wait queue:
	 * no later send wakes a dead task or finds the queue full of them. */
	int64_t code;
	KT_EXPECT(t, status_ok(channel_init(&shared, CHANNEL_ASYNC, 1)));
	struct task_result receiver = task_spawn(STR("receiver"), receive_one, 7, 0);
	KT_EXPECT(t, receiver.err == E_OK);
	task_sleep_ticks(10);
	KT_EXPECT(t, task_is_blocked(receiver.value) && shared.receivers.len == 1);
	KT_EXPECT(t, status_ok(task_kill(receiver.value)));
	KT_EXPECT(t, status_ok(task_join(receiver.value, &code)) && code == TASK_KILLED);
	KT_EXPECT_MSG(t, shared.receivers.len == 0, "%u receivers still queued", shared.receivers.len);

	/* A sender blocked on a full channel, the same. */
	struct point p = {1, 0};
	KT_EXPECT(t, status_ok(point_chan_send(&shared, &p)));
	struct task_result sender = task_spawn(STR("sender"), send_three_points, 100, 0);
	KT_EXPECT(t, sender.err == E_OK);
	task_sleep_ticks(10);
	KT_EXPECT(t, task_is_blocked(sender.value) && shared.senders.len == 1);
	KT_EXPECT(t, status_ok(task_kill(sender.value)));
	KT_EXPECT(t, status_ok(task_join(sender.value, &code)) && code == TASK_KILLED);
	KT_EXPECT_MSG(t, shared.senders.len == 0, "%u senders still queued", shared.senders.len);

	/* And it still carries messages both ways. */
	struct point got;
	KT_EXPECT(t, status_ok(point_chan_recv(&shared, &got)) && got.x == 1);
	receiver = task_spawn(STR("receiver"), receive_one, 8, 0);
	KT_EXPECT(t, receiver.err == E_OK);
	p.x = 8;
	KT_EXPECT(t, status_ok(point_chan_send(&shared, &p)));
	KT_EXPECT(t, status_ok(task_join(receiver.value, &code)) && code == 0);
}
