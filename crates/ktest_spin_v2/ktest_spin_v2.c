#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "ktest_spin_v2.h"

CRATE("ktest_spin_v2", "2.0.0", "test crate: code a task can be caught inside during a swap", "", "ktest_spin", "");

CRATE_EXPORT void spin_while(volatile bool *keep_going)
{
	while (*keep_going)
		cpu_relax_hint();
}

CRATE_EXPORT uint64_t spin_version(void) { return 2; }
