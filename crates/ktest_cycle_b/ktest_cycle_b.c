#include <theseus/crate.h>
#include "ktest_cycle_a.h"
#include "ktest_cycle_b.h"

CRATE("ktest_cycle_b", "1.0.0", "test crate: the other half of a cyclic import", "", "", "ktest_cycle_a");

CRATE_EXPORT uint64_t cycle_b_sum(uint64_t n)
{
	return n == 0 ? 0 : n + cycle_a_sum(n - 1);
}
