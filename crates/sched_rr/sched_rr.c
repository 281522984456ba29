#include <theseus/crate.h>
#include "sched_rr.h"

CRATE("sched_rr", "1.0.0", "round-robin scheduling policy: ready tasks run in arrival order", "", "", "pqueue");

/* Every task gets its turn in the order it became ready; priority is
 * ignored. */
CRATE_EXPORT bool sched_policy_before(const struct pq_item *a, const struct pq_item *b)
{
	return pq_fifo(a, b);
}

CRATE_EXPORT struct str sched_policy_name(void) { return STR("round-robin"); }
