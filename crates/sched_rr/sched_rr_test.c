/* The policy on its own, over a run queue built here. */
#include <theseus/ktest.h>
#include "sched_rr.h"

KTEST(sched_rr_arrival_order_ignores_priority, "sched_rr.arrival_order_ignores_priority")
{
	struct pqueue q;
	struct pq_item it;
	pq_init(&q);
	KT_EXPECT(t, status_ok(pq_push(&q, 1, 0)) && status_ok(pq_push(&q, 2, 9)) && status_ok(pq_push(&q, 3, -4)));
	for (uint32_t want = 1; want <= 3; want++) {
		KT_EXPECT(t, pq_pop(&q, sched_policy_before, &it));
		KT_EXPECT_MSG(t, it.id == want, "picked task %u, want %u", it.id, want);
	}
	/* A task that comes back goes to the end of the line. */
	KT_EXPECT(t, status_ok(pq_push(&q, 7, 0)) && status_ok(pq_push(&q, 8, 0)) && status_ok(pq_push(&q, 7 + 100, 0)));
	KT_EXPECT(t, pq_pop(&q, sched_policy_before, &it) && it.id == 7);
	KT_EXPECT(t, str_eq(sched_policy_name(), STR("round-robin")));
}
