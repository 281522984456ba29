/* scrubber: patrol scrubbing of crate code (include/scrubber.h). Its state
 * is the period and where the pass is; a swap or a restart hands both to
 * the new instance, which goes on where the pass was. */
#include <theseus/crate.h>
#include <theseus/faults.h>
#include "fmt.h"
#include "interrupts.h"
#include "log.h"
#include "recovery.h"
#include "scrubber.h"
#include "state_store.h"
#include "timer.h"

CRATE("scrubber", "1.0.0", "patrol scrubbing: crate code rebuilt from its image, every period", "", "",
      "fmt,interrupts,log,recovery,state_store,timer");

#define TIMER_LINE 0

static struct {
	uint64_t period_ticks; /* 0: not set (the default) */
	uint64_t next_pass;    /* timer tick the next pass starts at */
	uint32_t cursor;       /* in the pass: kernel_crate_repair_next's */
	bool in_pass;
} scrub;

/* Across a swap or a restart the state moves through the state store:
 * scrubber_save runs on the instance going out, scrubber_migrate on the
 * one coming in, with interrupts off in between (docs/live-update.md). */
#define HANDOVER_KEY "scrubber.handover"
#define HANDOVER_FORMAT 1u
struct scrubber_handover {
	uint64_t period_ticks, next_pass, cursor, in_pass;
};

CRATE_EXPORT struct status scrubber_save(void)
{
	struct scrubber_handover h = {scrub.period_ticks, scrub.next_pass, scrub.cursor, scrub.in_pass};
	return state_put(STR(HANDOVER_KEY), STR_OF_BYTES(BYTES_OF(h)), HANDOVER_FORMAT);
}

CRATE_EXPORT struct status scrubber_migrate(uint32_t from_major)
{
	(void)from_major; /* the handover's own format says what it holds */
	struct scrubber_handover h = {};
	struct state_get_result r = state_get(STR(HANDOVER_KEY), BYTES_OF(h));
	if (r.err == E_NOENT)
		return STATUS_OK; /* nothing handed over: a new pass, the default period */
	if (r.err != E_OK || r.value.version != HANDOVER_FORMAT || r.value.len != sizeof h || h.cursor > UINT32_MAX)
		return STATUS(E_INVAL);
	scrub.period_ticks = h.period_ticks;
	scrub.next_pass = h.next_pass;
	scrub.cursor = (uint32_t)h.cursor;
	scrub.in_pass = h.in_pass != 0;
	return state_remove(STR(HANDOVER_KEY));
}

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

CRATE_EXPORT void scrubber_on_tick(uint8_t irq_line)
{
	(void)irq_line;
	uint64_t now = timer_ticks();
	if (!scrub.in_pass) {
		if (now < scrub.next_pass)
			return;
		uint64_t period = scrub.period_ticks ? scrub.period_ticks : SCRUBBER_DEFAULT_MS * timer_hz() / 1000;
		scrub.next_pass = now + (period ? period : 1);
		if (recovery_policy() == RECOVER_NONE)
			return;
		scrub.in_pass = true;
		scrub.cursor = 0;
	}
	uint64_t changed = 0;
	struct crate_error why = {""};
	if (kernel_crate_repair_next(&scrub.cursor, &changed, &why).err == E_NOENT)
		scrub.in_pass = false;
	else if (changed)
		report(STR_FROM_CSTR_ARRAY(why.text), changed);
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
	scrub.period_ticks = ticks ? ticks : 1;
	struct status s = interrupts_register(TIMER_LINE, STR("scrubber_on_tick"));
	return s.err == E_EXIST ? STATUS_OK : s;
}
