/* In-kernel tests of the policy-driven queue, run by the nano-core's test
 * runner from this crate's .ktests section. */
#include <theseus/ktest.h>
#include "pqueue.h"

static bool largest_key(const struct pq_item *a, const struct pq_item *b)
{
	return a->key > b->key || (a->key == b->key && a->seq < b->seq);
}

KTEST(pqueue_policies_order_the_same_items, "pqueue.policies_order_the_same_items")
{
	static const int64_t keys[5] = {3, 1, 3, 7, 0};
	struct pqueue q;
	struct pq_item it;
	uint32_t order[5];

	pq_init(&q);
	for (uint32_t i = 0; i < 5; i++)
		KT_EXPECT(t, status_ok(pq_push(&q, i, keys[i])));
	for (uint32_t i = 0; i < 5; i++) {
		KT_EXPECT(t, pq_pop(&q, pq_fifo, &it));
		order[i] = it.id;
	}
	KT_EXPECT(t, order[0] == 0 && order[1] == 1 && order[2] == 2 && order[3] == 3 && order[4] == 4);
	KT_EXPECT(t, !pq_pop(&q, pq_fifo, &it));

	for (uint32_t i = 0; i < 5; i++)
		KT_EXPECT(t, status_ok(pq_push(&q, i, keys[i])));
	for (uint32_t i = 0; i < 5; i++) {
		KT_EXPECT(t, pq_pop(&q, largest_key, &it));
		order[i] = it.id;
	}
	/* 7, then the two 3s in arrival order, then 1, then 0. */
	KT_EXPECT_MSG(t, order[0] == 3 && order[1] == 0 && order[2] == 2 && order[3] == 1 && order[4] == 4,
		      "order %u %u %u %u %u", order[0], order[1], order[2], order[3], order[4]);

	for (uint32_t i = 0; i < 5; i++)
		KT_EXPECT(t, status_ok(pq_push(&q, i, keys[i])));
	KT_EXPECT(t, pq_peek(&q, pq_smallest_key, &it) && it.id == 4);
	KT_EXPECT(t, pq_remove(&q, 4) && !pq_contains(&q, 4) && !pq_remove(&q, 4));
	KT_EXPECT(t, pq_pop(&q, pq_smallest_key, &it) && it.id == 1);
}

KTEST(pqueue_full_is_an_error, "pqueue.full_is_an_error")
{
	struct pqueue q;
	pq_init(&q);
	for (uint32_t i = 0; i < PQUEUE_CAPACITY; i++)
		KT_EXPECT(t, status_ok(pq_push(&q, i, 0)));
	KT_EXPECT(t, pq_push(&q, 99, 0).err == E_NOMEM);
	KT_EXPECT(t, q.len == PQUEUE_CAPACITY);
}
