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
