/* The evolution crate's own declarations, shared by its sources (not part
 * of its interface). */
#ifndef EVOLUTION_INTERNAL_H
#define EVOLUTION_INTERNAL_H

#include "evolution.h"

/* evolution_restart, with its figures: *cycles request to done, *window
 * the interrupts-off window (the benchmark's way in). may_defer: a crate
 * the caller runs in may be left to a helper task (evolution.c). */
struct status evolution_restart_measured(struct str crate, bool fresh, bool may_defer, struct crate_error *why,
					 uint64_t *cycles, uint64_t *window);

#endif
