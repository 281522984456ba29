#include <theseus/crate.h>
#include <theseus/slice.h>
#include "pqueue.h"

CRATE("pqueue", "1.0.0", "the policy-driven queue pattern: client-owned items, pluggable order", "", "", "");

CRATE_EXPORT void pq_init(struct pqueue *q)
{
	q->len = 0;
	q->next_seq = 0;
}

CRATE_EXPORT struct status pq_push(struct pqueue *q, uint32_t id, int64_t key)
{
	if (q->len >= PQUEUE_CAPACITY)
		return STATUS(E_NOMEM);
	*ARRAY_AT(q->items, q->len) = (struct pq_item){id, key, q->next_seq};
	q->next_seq++;
	q->len++;
	return STATUS_OK;
}

static size_t first_index(const struct pqueue *q, pq_before_fn before)
{
	size_t best = 0;
	for (size_t i = 1; i < q->len && i < PQUEUE_CAPACITY; i++)
		if (before(ARRAY_AT(q->items, i), ARRAY_AT(q->items, best)))
			best = i;
	return best;
}

/* Order among the rest does not matter: policies compare explicitly. */
static void remove_at(struct pqueue *q, size_t i)
{
	q->len--;
	*ARRAY_AT(q->items, i) = *ARRAY_AT(q->items, q->len);
}

CRATE_EXPORT bool pq_peek(const struct pqueue *q, pq_before_fn before, struct pq_item *out)
{
	if (q->len == 0)
		return false;
	*out = *ARRAY_AT(q->items, first_index(q, before));
	return true;
}

CRATE_EXPORT bool pq_pop(struct pqueue *q, pq_before_fn before, struct pq_item *out)
{
	if (q->len == 0)
		return false;
	size_t i = first_index(q, before);
	*out = *ARRAY_AT(q->items, i);
	remove_at(q, i);
	return true;
}

CRATE_EXPORT bool pq_remove(struct pqueue *q, uint32_t id)
{
	for (size_t i = 0; i < q->len && i < PQUEUE_CAPACITY; i++) {
		if (q->items[i].id == id) {
			remove_at(q, i);
			return true;
		}
	}
	return false;
}

CRATE_EXPORT bool pq_contains(const struct pqueue *q, uint32_t id)
{
	for (size_t i = 0; i < q->len && i < PQUEUE_CAPACITY; i++)
		if (q->items[i].id == id)
			return true;
	return false;
}

CRATE_EXPORT bool pq_fifo(const struct pq_item *a, const struct pq_item *b)
{
	return a->seq < b->seq;
}

CRATE_EXPORT bool pq_smallest_key(const struct pq_item *a, const struct pq_item *b)
{
	return a->key < b->key || (a->key == b->key && a->seq < b->seq);
}
