#include <theseus/crate.h>
#include "sched_prio.h"

CRATE("sched_prio", "1.0.0", "priority scheduling policy: highest priority first, round-robin among equals",
      "", "sched_rr", "pqueue");

CRATE_EXPORT bool sched_policy_before(const struct pq_item *a, const struct pq_item *b)
{
	if (a->key != b->key)
		return a->key > b->key;
	return pq_fifo(a, b);
}

CRATE_EXPORT struct str sched_policy_name(void) { return STR("priority"); }
