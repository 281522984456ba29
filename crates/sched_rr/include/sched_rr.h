/* sched_rr: round-robin scheduling policy (see sched_policy.h). */
#ifndef CRATE_SCHED_RR_H
#define CRATE_SCHED_RR_H
#include "sched_policy.h"
#endif
