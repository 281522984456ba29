/* counter: an application whose count survives live swaps, kept in the
 * state store (format 1: the total as 8 bytes). counter_v2 replaces it. */
#ifndef CRATE_COUNTER_H
#define CRATE_COUNTER_H

#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

struct status counter_main(struct str args);
/* The migration hook live swap calls in the version swapped in, with the
 * major version of the one swapped out. */
struct status counter_migrate(uint32_t from_version);

#endif
