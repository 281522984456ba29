/* scrubber: patrol scrubbing of crate code. A task (started by the
 * recovery crate) that, every period, has the nano-core rebuild each
 * loaded crate's code, read-only data and GOT from its image and write back
 * whatever differs (kernel_crate_repair_next): corruption that never traps
 * (a flipped bit that changes a result, not the control flow) is mended
 * within one period, as ECC patrol scrubbing mends memory. One crate at a
 * time with interrupts off, the task sleeping in between.
 *
 * args: the period in milliseconds (decimal). Under the recovery policy
 * `none` a pass does nothing. */
#ifndef CRATE_SCRUBBER_H
#define CRATE_SCRUBBER_H

#include <theseus/result.h>
#include <theseus/slice.h>

struct status scrubber_main(struct str args);

#endif
