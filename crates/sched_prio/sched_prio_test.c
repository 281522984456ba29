/* The policy on its own, over a run queue built here. */
#include <theseus/ktest.h>
#include "sched_prio.h"

KTEST(sched_prio_highest_first_fifo_among_equals, "sched_prio.highest_first_fifo_among_equals")
{
	struct pqueue q;
	struct pq_item it;
	pq_init(&q);
	/* (id, priority): 1:0 2:5 3:5 4:-3 5:9 */
	KT_EXPECT(t, status_ok(pq_push(&q, 1, 0)) && status_ok(pq_push(&q, 2, 5)) && status_ok(pq_push(&q, 3, 5)));
	KT_EXPECT(t, status_ok(pq_push(&q, 4, -3)) && status_ok(pq_push(&q, 5, 9)));
	static const uint32_t want[5] = {5, 2, 3, 1, 4};
	for (int i = 0; i < 5; i++) {
		KT_EXPECT(t, pq_pop(&q, sched_policy_before, &it));
		KT_EXPECT_MSG(t, it.id == want[i], "pick %d was task %u", i, it.id);
	}
	KT_EXPECT(t, str_eq(sched_policy_name(), STR("priority")));
}
