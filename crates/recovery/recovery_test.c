/* In-kernel tests of the recovery policy where the boot options leave it
 * to do nothing (tests boot without recover=); the console tests boot with
 * recover=restart and check the restart. */
#include <theseus/ktest.h>
#include "recovery.h"

KTEST(recovery_without_the_option_leaves_the_crate, "recovery.without_the_option_leaves_the_crate")
{
	struct fault_report report = {.vector = 3};
	report.crate[0] = 'h';
	report.crate[1] = '\0';
	recovery_on_fault(&report);
	KT_EXPECT(t, report.outcome[0] == '\0');
	struct fault_report nowhere = {.vector = 3}; /* a fault in no crate */
	recovery_on_fault(&nowhere);
	KT_EXPECT(t, nowhere.outcome[0] == '\0');
}

KTEST(recovery_policies_by_name, "recovery.policies_by_name")
{
	for (enum recovery_policy p = RECOVER_REPAIR; p <= RECOVER_NONE; p++) {
		struct recovery_policy_result named = recovery_policy_named(recovery_policy_name(p));
		KT_EXPECT(t, named.err == E_OK && named.value == p);
	}
	KT_EXPECT(t, recovery_policy_named(STR("restarts")).err == E_INVAL);
	KT_EXPECT(t, recovery_policy_named(STR("")).err == E_INVAL);
	KT_EXPECT(t, recovery_set_policy((enum recovery_policy)7).err == E_INVAL);
}

KTEST(recovery_a_policy_set_at_run_time_is_kept, "recovery.a_policy_set_at_run_time_is_kept")
{
	enum recovery_policy before = recovery_policy();
	KT_EXPECT(t, status_ok(recovery_set_policy(RECOVER_NONE)));
	KT_EXPECT(t, recovery_policy() == RECOVER_NONE);
	KT_EXPECT(t, status_ok(recovery_set_policy(RECOVER_RESTART)));
	KT_EXPECT(t, recovery_policy() == RECOVER_RESTART);
	KT_EXPECT(t, status_ok(recovery_set_policy(before)));
	KT_EXPECT(t, recovery_policy() == before);
}
