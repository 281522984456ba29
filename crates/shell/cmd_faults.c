/* Commands that break and mend crates while the system runs: restart a
 * crate from a fresh copy of its image, inject a fault into one, and
 * choose what happens after a fault. */
#include <theseus/crates.h>
#include "evolution.h"
#include "recovery.h"
#include "shell_internal.h"

/* Does the crate serving `name` keep state of its own? Asked after a
 * restart, of the new instance. */
static bool keeps_state(struct str name)
{
	struct crate_handle h;
	struct crate_summary about;
	struct crate_error why;
	return !status_ok(kernel_crate_find(name, &h, &why)) || !status_ok(kernel_crate_describe(&h, &about)) ||
	       about.state_bytes != 0;
}

void cmd_restart(struct str args)
{
	bool fresh = str_eq(word_at(args, 0), STR("--fresh"));
	struct str crate = word_at(args, fresh ? 1 : 0);
	if (crate.len == 0 || word_at(args, fresh ? 2 : 1).len) {
		out_str(STR("usage: restart [--fresh] CRATE\n"));
		return;
	}
	struct crate_error why = {""};
	if (!status_ok(evolution_restart(crate, fresh, &why))) {
		say_crate_error(STR("restart"), crate, &why);
		return;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("restarted "));
	fmt_str(&line, crate);
	fmt_str(&line, STR(": "));
	fmt_str(&line, STR_FROM_CSTR_ARRAY(why.text));
	/* The why says which hooks carried the state, if any did. */
	if (fresh)
		fmt_str(&line, STR(" (fresh: its own data anew)"));
	else if (!keeps_state(crate))
		fmt_str(&line, STR(" (a fresh instance: init run again; it keeps no state)"));
	out_line(&line);
}

void cmd_inject(struct str args)
{
	struct str crate = word_at(args, 0), symbol = word_at(args, 1);
	if (crate.len == 0 || symbol.len == 0 || word_at(args, 2).len) {
		out_str(STR("usage: inject CRATE SYMBOL\n"));
		return;
	}
	struct crate_error why = {""};
	if (!status_ok(kernel_crate_inject_fault(crate, symbol, &why))) {
		say_crate_error(STR("inject"), crate, &why);
		return;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("fault armed in "));
	fmt_str(&line, crate);
	fmt_str(&line, STR(": "));
	fmt_str(&line, STR_FROM_CSTR_ARRAY(why.text));
	fmt_str(&line, STR(" (restart "));
	fmt_str(&line, crate);
	fmt_str(&line, STR(" mends it)"));
	out_line(&line);
}

void cmd_recover(struct str args)
{
	struct str name = word_at(args, 0);
	if (word_at(args, 1).len) {
		out_str(STR("usage: recover [repair|restart|none]\n"));
		return;
	}
	struct fmt_line line;
	fmt_clear(&line);
	if (name.len) {
		struct recovery_policy_result p = recovery_policy_named(name);
		if (p.err != E_OK) {
			fmt_str(&line, STR("recover: no policy "));
			fmt_str(&line, name);
			fmt_str(&line, STR(" (repair, restart or none)"));
			out_line(&line);
			return;
		}
		struct status s = recovery_set_policy(p.value);
		if (!status_ok(s)) {
			fmt_str(&line, STR("recover: the policy could not be kept ("));
			fmt_str(&line, KERR_STR(s.err));
			fmt_char(&line, ')');
			out_line(&line);
			return;
		}
	}
	fmt_str(&line, STR("fault policy: "));
	fmt_str(&line, recovery_policy_name(recovery_policy()));
	out_line(&line);
}
