/* counter_v2: version 2 of counter (format 2: the total and the runs
 * since the upgrade); migrates format-1 state when swapped in. */
#ifndef CRATE_COUNTER_V2_H
#define CRATE_COUNTER_V2_H

#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

struct status counter_main(struct str args);
/* The migration hook live swap calls in the version swapped in, with the
 * major version of the one swapped out. */
struct status counter_migrate(uint32_t from_version);

#endif
