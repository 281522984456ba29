/* pqueue: the policy-driven queue, written once (the paper's pattern
 * reuse). A queue is a bounded array of items the *client* owns; the
 * order in which items leave is a policy function the client passes with
 * each pop. The run queue (with the scheduling policy), the sleep queue
 * (earliest wake tick first) and wait queues (first come, first served)
 * are all instances of it. The crate itself keeps no state. */
#ifndef CRATE_PQUEUE_H
#define CRATE_PQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>

#define PQUEUE_CAPACITY 64

struct pq_item {
	uint32_t id;   /* what the client queues: a task id, say */
	int64_t key;   /* policy input: a priority, a wake tick... */
	uint64_t seq;  /* arrival order, assigned by pq_push */
};

struct pqueue {
	struct pq_item items[PQUEUE_CAPACITY];
	size_t len;
	uint64_t next_seq;
};

/* The policy: true when `a` should leave the queue before `b`. */
typedef bool (*pq_before_fn)(const struct pq_item *a, const struct pq_item *b);

void pq_init(struct pqueue *q);
/* E_NOMEM when full. */
struct status pq_push(struct pqueue *q, uint32_t id, int64_t key);
/* Remove and return the item the policy puts first; false when empty. */
bool pq_pop(struct pqueue *q, pq_before_fn before, struct pq_item *out);
/* Look at it without removing; false when empty. */
bool pq_peek(const struct pqueue *q, pq_before_fn before, struct pq_item *out);
/* Remove the item with this id; false when absent. */
bool pq_remove(struct pqueue *q, uint32_t id);
bool pq_contains(const struct pqueue *q, uint32_t id);

/* Two policies every client needs. */
bool pq_fifo(const struct pq_item *a, const struct pq_item *b);
bool pq_smallest_key(const struct pq_item *a, const struct pq_item *b);

#endif
