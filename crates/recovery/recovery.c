/* recovery: the fault policy (include/recovery.h). Keeps no state: the
 * policy is read from the boot options, the faults from the nano-core. */
#include <theseus/boot_options.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/faults.h>
#include <theseus/services.h>
#include "evolution.h"
#include "fmt.h"
#include "log.h"
#include "recovery.h"

CRATE("recovery", "1.0.0", "what to do when a crate faults (boot option recover=)", "recovery_init", "",
      "evolution,fmt,log");

CRATE_EXPORT enum recovery_policy recovery_policy(void)
{
	char value[16];
	size_t len = 0;
	if (!kernel_boot_option(STR("recover"), BYTES_OF(value), &len))
		return RECOVER_REPAIR;
	struct str v = STR_FROM_ARRAY(value, len);
	if (str_eq(v, STR("restart")))
		return RECOVER_RESTART;
	if (str_eq(v, STR("none")))
		return RECOVER_NONE;
	return RECOVER_REPAIR;
}

CRATE_EXPORT void recovery_on_fault(struct fault_report *report)
{
	if (!report->crate[0] || recovery_policy() != RECOVER_RESTART)
		return;
	struct str crate = STR_FROM_CSTR_ARRAY(report->crate);
	struct crate_error why = {""};
	bool restarted = status_ok(evolution_restart(crate, &why));
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("crate "));
	fmt_str(&line, crate);
	fmt_str(&line, restarted ? STR(" faulted; restarted it") : STR(" faulted; restarting it failed: "));
	if (!restarted)
		fmt_str(&line, STR_FROM_CSTR_ARRAY(why.text));
	log_line(LOG_INFO, STR("recover"), &line);
	fmt_clear(&line);
	fmt_str(&line, restarted ? STR("crate ") : STR("restarting crate "));
	fmt_str(&line, crate);
	fmt_str(&line, restarted ? STR(" restarted") : STR(" failed"));
	bytes_fill_cstr(BYTES_OF(report->outcome), fmt_view(&line));
}

struct status recovery_init(void);
struct status recovery_init(void)
{
	enum recovery_policy policy = recovery_policy();
	kernel_fault_mode_set(policy == RECOVER_NONE ? KERNEL_FAULT_UNWIND : KERNEL_FAULT_REPAIR_AND_RESUME);
	return kernel_service_register(KERNEL_SERVICE_FAULT, STR("recovery_on_fault"));
}
