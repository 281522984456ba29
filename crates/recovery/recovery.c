/* recovery: the fault policy (include/recovery.h). Its one piece of state,
 * a policy chosen at run time, lives in the state store; the faults it
 * counts are the nano-core's. */
#include <theseus/boot_options.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/faults.h>
#include <theseus/services.h>
#include "evolution.h"
#include "fmt.h"
#include "log.h"
#include "recovery.h"
#include "state_store.h"
#include "task.h"

CRATE("recovery", "1.0.0", "what to do when a crate faults (boot option recover=, shell command recover)",
      "recovery_init", "", "evolution,fmt,log,state_store,task");

#define POLICY_KEY "recovery.policy"
#define POLICY_FORMAT 1u
/* Fault events read at a time (on the caller's stack). */
#define RECENT_BATCH 2u /* fault_events are 176 bytes: this runs on a faulted task's stack */

CRATE_EXPORT struct str recovery_policy_name(enum recovery_policy policy)
{
	switch (policy) {
	case RECOVER_REPAIR: return STR("repair");
	case RECOVER_RESTART: return STR("restart");
	case RECOVER_NONE: return STR("none");
	}
	return STR("?");
}

CRATE_EXPORT struct recovery_policy_result recovery_policy_named(struct str name)
{
	for (enum recovery_policy p = RECOVER_REPAIR; p <= RECOVER_NONE; p++)
		if (str_eq(name, recovery_policy_name(p)))
			return (struct recovery_policy_result){E_OK, p};
	return (struct recovery_policy_result){E_INVAL, RECOVER_REPAIR};
}

CRATE_EXPORT enum recovery_policy recovery_policy(void)
{
	char value[16];
	struct state_get_result chosen = state_get(STR(POLICY_KEY), BYTES_OF(value));
	if (chosen.err == E_OK && chosen.value.version == POLICY_FORMAT) {
		struct recovery_policy_result p = recovery_policy_named(STR_FROM_ARRAY(value, chosen.value.len));
		if (p.err == E_OK)
			return p.value;
	}
	size_t len = 0;
	if (!kernel_boot_option(STR("recover"), BYTES_OF(value), &len))
		return RECOVER_REPAIR;
	struct recovery_policy_result p = recovery_policy_named(STR_FROM_ARRAY(value, len));
	return p.err == E_OK ? p.value : RECOVER_REPAIR;
}

static void apply(enum recovery_policy policy)
{
	kernel_fault_mode_set(policy == RECOVER_NONE ? KERNEL_FAULT_UNWIND : KERNEL_FAULT_REPAIR_AND_RESUME);
}

CRATE_EXPORT struct status recovery_set_policy(enum recovery_policy policy)
{
	if (policy > RECOVER_NONE)
		return STATUS(E_INVAL);
	struct status s = state_put(STR(POLICY_KEY), recovery_policy_name(policy), POLICY_FORMAT);
	if (status_ok(s))
		apply(policy);
	return s;
}

/* Unwound faults in `crate` among the nano-core's recent ones (it keeps
 * the last 32) that no repair explained (no corrupt code was found): the
 * crate's own state or logic is what fails. */
__attribute__((noinline)) static unsigned unexplained_faults(struct str crate)
{
	struct fault_event batch[RECENT_BATCH];
	unsigned count = 0;
	uint64_t after = 0;
	for (size_t n; (n = kernel_fault_events(after, batch, RECENT_BATCH)) > 0; after = batch[n - 1].seq)
		for (size_t i = 0; i < n; i++)
			count += batch[i].outcome == FAULT_UNWOUND && batch[i].repaired_bytes == 0 &&
				 str_eq(STR_FROM_CSTR_ARRAY(batch[i].crate), crate);
	return count;
}

static void say_decision(const struct fault_report *report, struct str decision, struct str detail)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("crate "));
	fmt_str(&line, STR_FROM_CSTR_ARRAY(report->crate));
	fmt_char(&line, ' ');
	fmt_str(&line, STR_FROM_CSTR_ARRAY(report->version));
	fmt_str(&line, STR(" faulted (exception "));
	fmt_u64(&line, report->vector);
	fmt_str(&line, STR(") at "));
	fmt_str(&line, report->function[0] ? STR_FROM_CSTR_ARRAY(report->function) : STR("?"));
	fmt_char(&line, '+');
	fmt_hex(&line, report->offset, 1);
	fmt_str(&line, STR("; "));
	fmt_str(&line, decision);
	fmt_str(&line, detail);
	log_line(LOG_INFO, STR("recover"), &line);
}

CRATE_EXPORT void recovery_on_fault(struct fault_report *report)
{
	if (!report->crate[0])
		return;
	enum recovery_policy policy = recovery_policy();
	struct str crate = STR_FROM_CSTR_ARRAY(report->crate);
	unsigned repeated = policy == RECOVER_REPAIR ? unexplained_faults(crate) : 0;
	if (policy == RECOVER_NONE || (policy == RECOVER_REPAIR && repeated < RECOVER_ESCALATE_AFTER)) {
		say_decision(report, STR("the call was unwound"), STR_EMPTY);
		return;
	}
	struct crate_error why = {""};
	bool restarted = status_ok(evolution_restart(crate, true, &why)); /* its state is suspect */
	struct str escalated = repeated ? STR(" (it kept faulting)") : STR_EMPTY;
	if (restarted)
		say_decision(report, STR("restarted it"), escalated);
	else
		say_decision(report, STR("restarting it failed: "), STR_FROM_CSTR_ARRAY(why.text));
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, restarted ? STR("crate ") : STR("restarting crate "));
	fmt_str(&line, crate);
	fmt_str(&line, restarted ? STR(" restarted") : STR(" failed"));
	fmt_str(&line, escalated);
	bytes_fill_cstr(BYTES_OF(report->outcome), fmt_view(&line));
}

/* The scrubber's period in milliseconds: the boot option scrub=MS, 0 for
 * none (tests that arm a fault and call it a moment later). */
#define SCRUB_DEFAULT_MS "500" /* SCRUBBER_DEFAULT_MS */

static void start_scrubber(void)
{
	char value[12];
	size_t len = 0;
	struct str period = STR(SCRUB_DEFAULT_MS);
	if (kernel_boot_option(STR("scrub"), BYTES_OF(value), &len))
		period = STR_FROM_ARRAY(value, len);
	if (str_eq(period, STR("0")))
		return;
	struct task_result r = task_spawn_app(STR("scrubber"), period, -10);
	if (r.err != E_OK)
		log_write(LOG_WARN, STR("recover"), STR("the scrubber could not be started"));
}

struct status recovery_init(void);
struct status recovery_init(void)
{
	apply(recovery_policy());
	struct status s = kernel_service_register(KERNEL_SERVICE_FAULT, STR("recovery_on_fault"));
	/* Once per boot: a restarted recovery finds its scrubber running. */
	struct state_get_result started = state_get(STR("recovery.scrubber"), (struct bytes){});
	if (status_ok(s) && started.err == E_NOENT && status_ok(state_put(STR("recovery.scrubber"), STR("1"), 1)))
		start_scrubber();
	return s;
}
