/* Benchmarks of the channel crate, run by the nano-core's benchmark
 * runner, beside Linux's pipe round trip (benchmarks/figures.py):
 *   channel.roundtrip_rendezvous  a message to an echo task and back over
 *   channel.roundtrip_async       two channels, rendezvous or asynchronous
 *                                 (capacity 4) */
#include <theseus/kbench.h>
#include <theseus/ktest.h> /* KTEST_SCRATCH */
#include "channel.h"
#include "task.h"

static KTEST_SCRATCH struct channel to_echo, from_echo;

/* Sends back every message until the channel is closed. */
static void echo_task(uint64_t unused)
{
	(void)unused;
	unsigned char buf[CHANNEL_MSG_MAX];
	size_t len = 0;
	while (status_ok(channel_recv(&to_echo, BYTES_OF(buf), &len)))
		if (len > sizeof buf || !status_ok(channel_send(&from_echo, str_sub(STR_OF_BYTES(BYTES_OF(buf)), 0, len))))
			break;
	task_exit(0);
}

static void roundtrip(struct kbench_ctx *b, struct str figure, enum channel_kind kind)
{
	size_t capacity = kind == CHANNEL_ASYNC ? 4 : 1;
	struct task_result echo = {E_INVAL, 0};
	if (!status_ok(channel_init(&to_echo, kind, capacity)) || !status_ok(channel_init(&from_echo, kind, capacity)) ||
	    (echo = task_spawn(STR("echo"), echo_task, 0, 0)).err != E_OK) {
		kbench_fail(b, "cannot set up the channels and the echo task");
		return;
	}
	unsigned char reply[CHANNEL_MSG_MAX];
	size_t len = 0;
	for (uint64_t i = 0; i < kbench_iterations(b); i++) {
		uint64_t t0 = kbench_now();
		if (!status_ok(channel_send(&to_echo, STR("ping"))) ||
		    !status_ok(channel_recv(&from_echo, BYTES_OF(reply), &len)) || len != 4) {
			kbench_fail(b, "the echo did not come back");
			break;
		}
		kbench_sample(b, kbench_now() - t0, 1);
	}
	channel_close(&to_echo);
	int64_t code;
	if (!status_ok(task_join(echo.value, &code)))
		kbench_fail(b, "the echo task did not end");
	kbench_note(b, "bytes", 4);
	kbench_note(b, "capacity", capacity);
	kbench_report_str(b, figure);
}

KBENCH(channel_roundtrip_rendezvous, "channel.roundtrip_rendezvous")
{
	roundtrip(b, STR("channel.roundtrip_rendezvous"), CHANNEL_RENDEZVOUS);
}

KBENCH(channel_roundtrip_async, "channel.roundtrip_async") { roundtrip(b, STR("channel.roundtrip_async"), CHANNEL_ASYNC); }
