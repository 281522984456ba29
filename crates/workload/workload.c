/* workload: see include/workload.h. Its state is the run in progress:
 * what the tasks saw, read by `stop` once they have ended. It lives on the
 * heap and is shared with the next version (workload_share,
 * workload_migrate): the workload's tasks loop in this crate for good, so
 * a replacement retires this version and they run on in it, on the same
 * record the new version reads. */
#include <theseus/alloc.h>
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/shared_ref.h>
#include "channel.h"
#include "fmt.h"
#include "heap.h"
#include "log.h"
#include "task.h"
#include "timer.h"
#include "workload.h"

CRATE("workload", "1.0.0", "a self-checking load: allocations, a channel, a sleeper; a verdict at the end",
      "workload_init", "", "channel,fmt,heap,log,task,timer");

#define ALLOCATORS 2
#define TASKS (ALLOCATORS + 3)
#define STOP_WAIT_TICKS 2000 /* for every task to end once told to */
#define BLOCK_TAG 0xB10C000000000000ull

struct workload_run {
	bool running;
	volatile bool stop;
	task_id ids[TASKS];
	volatile bool ended[TASKS];
	uint64_t blocks[ALLOCATORS], corrupt, refused, left_on_heap;
	uint64_t sent, received, lost, duplicated, send_errors;
	uint64_t wakeups, time_ran_back;
	uint64_t start_tsc, start_ticks;
	struct channel pipe;
};

SHARED_REF(struct workload_run, shared)

#define run (*shared())

/* The format of what workload_share hands over (shared_hand_over). */
#define WORKLOAD_SHARE_FORMAT 1

static void end_task(uint64_t slot, int64_t code)
{
	*ARRAY_AT(run.ended, slot) = true;
	task_exit(code);
}

static void allocator(uint64_t which)
{
	uint64_t *count = ARRAY_AT(run.blocks, which);
	while (!run.stop) {
		uint64_t *block = NULL;
		if (!status_ok(HEAP_NEW(uint64_t, &block, task_current()))) {
			run.refused++;
			task_sleep_ticks(1);
			continue;
		}
		*block = BLOCK_TAG | *count;
		task_yield();
		if (*block != (BLOCK_TAG | *count))
			run.corrupt++;
		if (!status_ok(HEAP_FREE(block)))
			run.corrupt++;
		*count += 1;
	}
	run.left_on_heap += heap_stats(task_current()).objects;
	end_task(which, 0);
}

static void producer(uint64_t slot)
{
	for (uint64_t seq = 1; !run.stop; seq++) {
		if (!status_ok(channel_send(&run.pipe, STR_OF_BYTES(BYTES_OF(seq))))) {
			run.send_errors++;
			break;
		}
		run.sent = seq;
		if (seq % 8 == 0)
			task_sleep_ticks(1);
	}
	channel_close(&run.pipe);
	end_task(slot, 0);
}

static void consumer(uint64_t slot)
{
	uint64_t expect = 1, seq = 0;
	size_t len = 0;
	while (status_ok(channel_recv(&run.pipe, BYTES_OF(seq), &len))) {
		if (len != sizeof seq || seq < expect) {
			run.duplicated++;
			continue;
		}
		run.lost += seq - expect;
		expect = seq + 1;
		run.received++;
	}
	end_task(slot, 0);
}

static void sleeper(uint64_t slot)
{
	uint64_t last = timer_ticks();
	while (!run.stop) {
		task_sleep_ticks(1);
		shared_mend(); /* the odd copy of the run's address, righted each tick */
		uint64_t now = timer_ticks();
		run.time_ran_back += now < last;
		last = now;
		run.wakeups++;
	}
	end_task(slot, 0);
}

/* ---- the interface for code (workload.h) ---------------------------------- */

CRATE_EXPORT struct status workload_start(void)
{
	if (run.running)
		return STATUS(E_EXIST);
	run = (typeof(run)){};
	struct status s = channel_init(&run.pipe, CHANNEL_ASYNC, 4);
	if (!status_ok(s))
		return s;
	task_entry_fn entries[TASKS] = {allocator, allocator, producer, consumer, sleeper};
	run.start_tsc = cpu_timestamp();
	run.start_ticks = timer_ticks();
	for (uint64_t i = 0; i < TASKS; i++) {
		struct str name = i < ALLOCATORS        ? STR("wl_allocator")
				  : i == ALLOCATORS     ? STR("wl_producer")
				  : i == ALLOCATORS + 1 ? STR("wl_consumer")
							: STR("wl_sleeper");
		struct task_result r = task_spawn(name, *ARRAY_AT(entries, i), i, 0);
		if (r.err != E_OK) {
			run.stop = true; /* the ones started end at their next check */
			channel_close(&run.pipe);
			return STATUS(r.err);
		}
		*ARRAY_AT(run.ids, i) = r.value;
	}
	run.running = true;
	return STATUS_OK;
}

/* What the tasks saw so far (the stop's own counts stay 0 here). */
static struct workload_figures figures_now(void)
{
	return (struct workload_figures){
		.blocks = run.blocks[0] + run.blocks[1],
		.sent = run.sent,
		.received = run.received,
		.wakeups = run.wakeups,
		.lost = run.lost,
		.duplicated = run.duplicated,
		.send_errors = run.send_errors,
		.corrupt = run.corrupt,
		.refused = run.refused,
		.leaked = run.left_on_heap,
		.ran_back = run.time_ran_back,
	};
}

CRATE_EXPORT struct status workload_progress(struct workload_figures *out)
{
	*out = (struct workload_figures){};
	if (!run.running)
		return STATUS(E_NOENT);
	*out = figures_now();
	return STATUS_OK;
}

CRATE_EXPORT bool workload_verdict_ok(const struct workload_figures *f)
{
	return f->stuck == 0 && f->lost == 0 && f->duplicated == 0 && f->send_errors == 0 && f->corrupt == 0 &&
	       f->refused == 0 && f->leaked == 0 && f->ran_back == 0 && f->received == f->sent;
}

CRATE_EXPORT struct status workload_stop(struct workload_figures *out)
{
	*out = (struct workload_figures){};
	if (!run.running)
		return STATUS(E_NOENT);
	run.stop = true;
	/* A task that never ends here missed a wake-up (or is stuck): it is
	 * killed, and counted. */
	uint64_t stuck = 0;
	for (int tick = 0; tick < STOP_WAIT_TICKS; tick++) {
		bool all = true;
		for (size_t i = 0; i < TASKS; i++)
			all &= *ARRAY_AT(run.ended, i);
		if (all)
			break;
		task_sleep_ticks(1);
	}
	for (size_t i = 0; i < TASKS; i++) {
		task_id id = *ARRAY_AT(run.ids, i);
		int64_t code = -1;
		if (*ARRAY_AT(run.ended, i)) {
			stuck += !status_ok(task_join(id, &code)) || code != 0;
			continue;
		}
		stuck++;
		struct status killed = task_kill(id);
		if (!status_ok(killed) && killed.err != E_NOENT)
			stuck++; /* still there: counted twice */
	}
	if (!*ARRAY_AT(run.ended, ALLOCATORS))
		channel_close(&run.pipe);
	uint64_t tsc_hz = timer_tsc_hz(), hz = timer_hz();
	*out = figures_now();
	out->stuck = stuck;
	out->ticks = timer_ticks() - run.start_ticks;
	out->ticks_by_tsc = tsc_hz ? (cpu_timestamp() - run.start_tsc) / (tsc_hz / (hz ? hz : 1)) : 0;
	run.running = false;
	return workload_verdict_ok(out) ? STATUS_OK : STATUS(E_INVAL);
}

/* ---- the application: run workload start | status | stop ----------------- */

static void say(enum log_level level, const struct fmt_line *line) { log_line(level, STR("workload"), line); }

static void say_text(enum log_level level, struct str text)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, text);
	say(level, &line);
}

static void work_done(struct fmt_line *line, const struct workload_figures *f)
{
	fmt_u64(line, f->blocks);
	fmt_str(line, STR(" blocks, "));
	fmt_u64(line, f->received);
	fmt_str(line, STR(" of "));
	fmt_u64(line, f->sent);
	fmt_str(line, STR(" messages received, "));
	fmt_u64(line, f->wakeups);
	fmt_str(line, STR(" wake-ups"));
}

static void count(struct fmt_line *line, uint64_t n, struct str what)
{
	fmt_str(line, STR(", "));
	fmt_u64(line, n);
	fmt_char(line, ' ');
	fmt_str(line, what);
}

static struct status start(void)
{
	struct status s = workload_start();
	if (s.err == E_EXIST)
		say_text(LOG_ERROR, STR("already running (run workload stop ends it)"));
	else if (status_ok(s))
		say_text(LOG_INFO, STR("started: 2 allocators, a producer and a consumer on a channel, a sleeper"));
	return s;
}

static struct status status(void)
{
	struct workload_figures f;
	if (!status_ok(workload_progress(&f))) {
		say_text(LOG_INFO, STR("not running (run workload start)"));
		return STATUS_OK;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("running: "));
	work_done(&line, &f);
	say(LOG_INFO, &line);
	return STATUS_OK;
}

static struct status stop(void)
{
	struct workload_figures f;
	struct status s = workload_stop(&f);
	if (s.err == E_NOENT) {
		say_text(LOG_ERROR, STR("not running (run workload start)"));
		return s;
	}
	bool ok = status_ok(s);
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("ran: "));
	work_done(&line, &f);
	fmt_str(&line, STR("; ticks: "));
	fmt_u64(&line, f.ticks);
	fmt_str(&line, STR(" counted, "));
	fmt_u64(&line, f.ticks_by_tsc);
	fmt_str(&line, STR(" elapsed by the TSC"));
	say(LOG_INFO, &line);
	fmt_clear(&line);
	fmt_str(&line, ok ? STR("verdict ok: ") : STR("verdict FAILED: "));
	fmt_u64(&line, f.lost);
	fmt_str(&line, STR(" lost"));
	count(&line, f.duplicated, STR("duplicated"));
	count(&line, f.corrupt, STR("corrupt"));
	count(&line, f.refused, STR("refused"));
	count(&line, f.leaked, STR("leaked"));
	count(&line, f.stuck, STR("stuck"));
	count(&line, f.ran_back, STR("ran back"));
	say(ok ? LOG_INFO : LOG_ERROR, &line);
	return s;
}

CRATE_EXPORT struct status workload_main(struct str args)
{
	if (str_eq(args, STR("start")))
		return start();
	if (str_eq(args, STR("stop")))
		return stop();
	if (str_eq(args, STR("status")))
		return status();
	say_text(LOG_ERROR, STR("usage: run workload start | stop | status"));
	return STATUS(E_INVAL);
}

/* ---- this crate's replacement ---- */

struct status workload_init(void);
struct status workload_init(void)
{
	/* In a swap's window the run comes from the version replaced. */
	if (kernel_swap_in_progress())
		return STATUS_OK;
	struct workload_run *fresh = NULL;
	struct status s = HEAP_NEW(struct workload_run, &fresh, HEAP_OWNER_KERNEL);
	if (status_ok(s))
		shared_set(fresh);
	return s;
}

CRATE_EXPORT struct status workload_share(void)
{
	return shared_hand_over(WORKLOAD_SHARE_FORMAT);
}

CRATE_EXPORT struct status workload_migrate(uint32_t from_major)
{
	(void)from_major; /* the record's format says what it holds */
	return shared_take_over(WORKLOAD_SHARE_FORMAT);
}
