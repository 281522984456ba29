#include <theseus/crate.h>
#include "ktest_cycle_a.h"
#include "ktest_cycle_b.h"

CRATE("ktest_cycle_a", "1.0.0", "test crate: imports from ktest_cycle_b, which imports from it", "", "", "ktest_cycle_b");

/* Mutable state on purpose: the state-spill report should list it. */
static uint64_t calls;

CRATE_EXPORT uint64_t cycle_a_sum(uint64_t n)
{
	calls++;
	return n == 0 ? 0 : n + cycle_b_sum(n - 1);
}
