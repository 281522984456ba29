/* The scheduling-policy interface. The task crate (the mechanism) owns
 * the run queue, a pqueue of ready tasks keyed by priority; a policy crate
 * only decides which ready task goes first. sched_rr and sched_prio both
 * export exactly these symbols, so either can replace the other in a
 * running system. A policy keeps no state. */
#ifndef CRATE_SCHED_POLICY_H
#define CRATE_SCHED_POLICY_H

#include <stdbool.h>
#include <theseus/slice.h>
#include "pqueue.h"

/* pq_before_fn over run-queue items (id = task id, key = priority). */
bool sched_policy_before(const struct pq_item *a, const struct pq_item *b);
struct str sched_policy_name(void);

#endif
