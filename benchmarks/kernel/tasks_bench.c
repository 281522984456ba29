/* Figures of the task and channel crates, measured from the boot context,
 * which the task crate adopts as its "kernel" task when it loads; the
 * partner tasks run code of this file on stacks the task crate gives them:
 *   task.spawn_exit               task_spawn of a task that exits at once,
 *                                 and task_join of it (stack mapping, first
 *                                 switch, exit, reaping included)
 *   sched.context_switch          two tasks of one priority handing the CPU
 *                                 to each other with task_yield: a batch of
 *                                 yields by the kernel task, two switches
 *                                 each (partner_turns shows the partner ran)
 *   channel.roundtrip_rendezvous  a message to an echo task and back over
 *   channel.roundtrip_async       two channels, rendezvous or asynchronous
 *                                 (capacity 4)
 * A figure whose crates are not in the archive is reported as not
 * measured yet. */
#include "bench_support.h"

/* Built only once the crates' headers exist (the figures are "not measured
 * yet" until then). */
#include "task.h"    /* crates/task/include */
#include "channel.h" /* crates/channel/include */

typedef struct task_result (*task_spawn_fn)(struct str name, task_entry_fn entry, uint64_t arg, int64_t priority);
typedef struct status (*task_join_fn)(task_id id, int64_t *exit_code);
typedef void (*task_yield_fn)(void);
typedef void (*task_exit_fn)(int64_t code);
typedef struct status (*channel_init_fn)(struct channel *c, enum channel_kind kind, size_t capacity);
typedef struct status (*channel_send_fn)(struct channel *c, struct str message);
typedef struct status (*channel_recv_fn)(struct channel *c, struct bytes out, size_t *len);
typedef void (*channel_close_fn)(struct channel *c);

/* The task and channel calls, resolved once per benchmark. */
static struct {
	task_spawn_fn spawn;
	task_join_fn join;
	task_yield_fn yield;
	task_exit_fn exit;
	channel_init_fn chan_init;
	channel_send_fn send;
	channel_recv_fn recv;
	channel_close_fn close;
} api;

struct held {
	struct linker_symbol sym[8];
	unsigned count;
};

static bool get(struct kbench_ctx *b, struct linker *l, struct held *h, const char *figure, const char *crate,
		const char *symbol, uint64_t *address)
{
	if (!bench_get(b, l, figure, crate, symbol, &h->sym[h->count]))
		return false;
	*address = h->sym[h->count++].address;
	return true;
}

static bool get_task_api(struct kbench_ctx *b, struct linker *l, struct held *h, const char *figure)
{
	uint64_t a[4];
	if (!get(b, l, h, figure, "task", "task_spawn", &a[0]) || !get(b, l, h, figure, "task", "task_join", &a[1]) ||
	    !get(b, l, h, figure, "task", "task_yield", &a[2]) || !get(b, l, h, figure, "task", "task_exit", &a[3]))
		return false;
	api.spawn = (task_spawn_fn)a[0];
	api.join = (task_join_fn)a[1];
	api.yield = (task_yield_fn)a[2];
	api.exit = (task_exit_fn)a[3];
	return true;
}

static bool get_channel_api(struct kbench_ctx *b, struct linker *l, struct held *h, const char *figure)
{
	uint64_t a[4];
	if (!get(b, l, h, figure, "channel", "channel_init", &a[0]) ||
	    !get(b, l, h, figure, "channel", "channel_send", &a[1]) ||
	    !get(b, l, h, figure, "channel", "channel_recv", &a[2]) ||
	    !get(b, l, h, figure, "channel", "channel_close", &a[3]))
		return false;
	api.chan_init = (channel_init_fn)a[0];
	api.send = (channel_send_fn)a[1];
	api.recv = (channel_recv_fn)a[2];
	api.close = (channel_close_fn)a[3];
	return true;
}

static void release(struct linker *l, struct held *h, bench_log_fn log)
{
	while (h->count)
		bench_put(l, &h->sym[--h->count]);
	crates_unload_unused(l);
	bench_restore_linker(l, log);
}

/* ---- spawn + exit ---- */

static void exit_at_once(uint64_t code) { api.exit((int64_t)code); }

KBENCH(task_spawn_exit, "task.spawn_exit")
{
	static const char figure[] = "task.spawn_exit";
	struct linker *l = bench_linker(b, figure);
	if (!l)
		return;
	struct held h = {0};
	bench_log_fn log = bench_quiet_linker(l);
	if (get_task_api(b, l, &h, figure)) {
		for (uint64_t i = 0; i < kbench_iterations(b); i++) {
			int64_t code = -1;
			uint64_t t0 = kbench_now();
			struct task_result r = api.spawn(STR("bench"), exit_at_once, 0, 0);
			if (r.err != E_OK || !status_ok(api.join(r.value, &code)) || code != 0) {
				kbench_fail(b, "spawn or join failed");
				break;
			}
			kbench_sample(b, kbench_now() - t0, 1);
		}
		kbench_report(b, figure);
	}
	release(l, &h, log);
}

/* ---- context switch ---- */

static volatile bool partner_stop;
static volatile uint64_t partner_turns;

static void yield_partner(uint64_t unused)
{
	(void)unused;
	while (!partner_stop) {
		partner_turns++;
		api.yield();
	}
}

KBENCH(sched_context_switch, "sched.context_switch")
{
	static const char figure[] = "sched.context_switch";
	struct linker *l = bench_linker(b, figure);
	if (!l)
		return;
	struct held h = {0};
	bench_log_fn log = bench_quiet_linker(l);
	if (get_task_api(b, l, &h, figure)) {
		partner_stop = false;
		partner_turns = 0;
		/* The kernel task runs at priority 0: the partner shares it. */
		struct task_result partner = api.spawn(STR("yield-partner"), yield_partner, 0, 0);
		if (partner.err != E_OK) {
			kbench_fail(b, "cannot spawn the partner task");
		} else {
			api.yield(); /* let it start */
			uint64_t before = partner_turns;
			for (uint64_t i = 0; i < kbench_iterations(b); i++) {
				uint64_t t0 = kbench_now();
				for (unsigned k = 0; k < KBENCH_BATCH; k++)
					api.yield();
				kbench_sample(b, kbench_now() - t0, 2 * KBENCH_BATCH);
			}
			uint64_t turns = partner_turns - before;
			partner_stop = true;
			int64_t code;
			(void)api.join(partner.value, &code);
			kbench_note(b, "kernel_yields", kbench_iterations(b) * KBENCH_BATCH);
			kbench_note(b, "partner_turns", turns);
			kbench_report(b, figure);
		}
	}
	release(l, &h, log);
}

/* ---- channel round trips ---- */

static struct channel to_echo, from_echo;

/* Sends back every message until the channel is closed. */
static void echo_task(uint64_t unused)
{
	(void)unused;
	unsigned char buf[CHANNEL_MSG_MAX];
	size_t len;
	while (status_ok(api.recv(&to_echo, (struct bytes){buf, sizeof buf}, &len)))
		if (!status_ok(api.send(&from_echo, (struct str){(const char *)buf, len})))
			break;
}

static void channel_roundtrip(struct kbench_ctx *b, const char *figure, enum channel_kind kind)
{
	struct linker *l = bench_linker(b, figure);
	if (!l)
		return;
	struct held h = {0};
	bench_log_fn log = bench_quiet_linker(l);
	if (get_task_api(b, l, &h, figure) && get_channel_api(b, l, &h, figure)) {
		size_t capacity = kind == CHANNEL_ASYNC ? 4 : 1;
		struct task_result echo = {E_INVAL, 0};
		if (!status_ok(api.chan_init(&to_echo, kind, capacity)) ||
		    !status_ok(api.chan_init(&from_echo, kind, capacity)) ||
		    (echo = api.spawn(STR("echo"), echo_task, 0, 0)).err != E_OK) {
			kbench_fail(b, "cannot set up the channels and the echo task");
		} else {
			unsigned char reply[CHANNEL_MSG_MAX];
			size_t len;
			for (uint64_t i = 0; i < kbench_iterations(b); i++) {
				uint64_t t0 = kbench_now();
				if (!status_ok(api.send(&to_echo, STR("ping"))) ||
				    !status_ok(api.recv(&from_echo, (struct bytes){reply, sizeof reply}, &len)) || len != 4) {
					kbench_fail(b, "the echo did not come back");
					break;
				}
				kbench_sample(b, kbench_now() - t0, 1);
			}
			api.close(&to_echo);
			int64_t code;
			(void)api.join(echo.value, &code);
			kbench_note(b, "bytes", 4);
			kbench_note(b, "capacity", capacity);
			kbench_report(b, figure);
		}
	}
	release(l, &h, log);
}

KBENCH(channel_roundtrip_rendezvous, "channel.roundtrip_rendezvous")
{
	channel_roundtrip(b, "channel.roundtrip_rendezvous", CHANNEL_RENDEZVOUS);
}

KBENCH(channel_roundtrip_async, "channel.roundtrip_async")
{
	channel_roundtrip(b, "channel.roundtrip_async", CHANNEL_ASYNC);
}

