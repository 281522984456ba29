/* workload: a self-checking load to run while the system is changed
 * under it (`evolve all`, swaps, restarts, injected faults).
 *
 *     theseus> run workload start
 *     theseus> evolve all
 *     theseus> run workload stop
 *     [workload] info: ran: 251419 blocks, 2832 of 2832 messages received, 364 wake-ups; ticks: ...
 *     [workload] info: verdict ok: 0 lost, 0 duplicated, 0 corrupt, 0 refused, 0 leaked, 0 stuck, 0 ran back
 *
 * `start` spawns five tasks: two allocate a block, yield, check it still
 * holds what they wrote and free it; a producer sends sequence numbers
 * over a channel (a tick's sleep every 8) to a consumer that checks them;
 * a sleeper sleeps a tick at a time and checks the tick count never runs
 * back. `stop` ends them and prints the verdict: nothing lost, duplicated
 * or reordered on the channel, no block corrupted, refused or left on the
 * heap, every task woke and ended, time never ran back; plus the ticks
 * counted against what the TSC says elapsed (reported, not judged: a tick
 * can be lost while interrupts are off). `stop` returns E_INVAL when the
 * verdict is not ok; `status` prints the figures so far. */
#ifndef CRATE_WORKLOAD_H
#define CRATE_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

/* args: "start", "stop" or "status". */
struct status workload_main(struct str args);

/* The same for code (the in-kernel test swap.core_crates_replaced_under_load). */
struct workload_figures {
	uint64_t blocks, sent, received, wakeups;            /* the work done */
	uint64_t lost, duplicated, send_errors, corrupt;     /* what went wrong */
	uint64_t refused, leaked, stuck, ran_back;
	uint64_t ticks, ticks_by_tsc;                        /* workload_stop only */
};
/* Start the tasks. E_EXIST: running already. */
struct status workload_start(void);
/* The figures so far. E_NOENT: not running. */
struct status workload_progress(struct workload_figures *out);
/* End the tasks and fill *out: E_OK when the verdict is ok, E_INVAL when
 * not, E_NOENT when nothing runs. */
struct status workload_stop(struct workload_figures *out);
/* Nothing lost, duplicated, corrupt, refused, leaked or stuck, every
 * message received, time never ran back. */
bool workload_verdict_ok(const struct workload_figures *f);

#endif
