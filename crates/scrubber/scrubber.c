/* scrubber: patrol scrubbing of crate code (include/scrubber.h). Keeps no
 * state: the period comes in its arguments, the crates from the nano-core. */
#include <theseus/crate.h>
#include <theseus/faults.h>
#include "fmt.h"
#include "log.h"
#include "recovery.h"
#include "scrubber.h"
#include "task.h"
#include "timer.h"

CRATE("scrubber", "1.0.0", "patrol scrubbing: crate code rebuilt from its image, every period", "", "",
      "fmt,log,recovery,task,timer");

static void report(struct str crate, uint64_t changed)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_u64(&line, changed);
	fmt_str(&line, STR(" bytes of crate "));
	fmt_str(&line, crate);
	fmt_str(&line, STR("'s code differed from its image; repaired"));
	log_line(LOG_WARN, STR("scrubber"), &line);
}

/* One pass over every loaded crate; bytes repaired. */
static uint64_t scrub_pass(void)
{
	uint32_t cursor = 0;
	uint64_t total = 0;
	for (;;) {
		uint64_t changed = 0;
		struct crate_error why = {""};
		struct status s = kernel_crate_repair_next(&cursor, &changed, &why);
		if (s.err == E_NOENT)
			return total;
		if (changed)
			report(STR_FROM_CSTR_ARRAY(why.text), changed);
		total += changed;
		task_yield(); /* interrupts were off for that crate: let others run */
	}
}

CRATE_EXPORT struct status scrubber_main(struct str args)
{
	uint64_t ms = 0;
	if (!fmt_parse_u64(args, 9, &ms) || ms == 0) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("not a period in milliseconds: "));
		fmt_str(&line, args);
		log_line(LOG_ERROR, STR("scrubber"), &line);
		return STATUS(E_INVAL);
	}
	uint64_t ticks = ms * timer_hz() / 1000;
	for (;;) {
		task_sleep_ticks(ticks ? ticks : 1);
		if (recovery_policy() != RECOVER_NONE)
			(void)scrub_pass();
	}
}
