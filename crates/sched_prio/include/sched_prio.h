/* sched_prio: priority scheduling policy (see sched_policy.h). */
#ifndef CRATE_SCHED_PRIO_H
#define CRATE_SCHED_PRIO_H
#include "sched_policy.h"
#endif
