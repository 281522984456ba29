/* scrubber: patrol scrubbing of crate code. Every period, the nano-core
 * rebuilds each loaded crate's code, read-only data and GOT from its image
 * and writes back whatever differs (kernel_crate_repair_next): corruption
 * that never traps (a flipped bit that changes a result, not the control
 * flow) is mended within one period, as ECC patrol scrubbing mends memory.
 *
 * It runs from the timer interrupt, one crate per tick with interrupts off
 * (a crate takes well under a millisecond), so that it goes on when what
 * it must mend is the scheduler itself (a task that sleeps would never
 * wake again). The recovery crate starts it (scrubber_main, as a task
 * that registers the handler and ends); under the recovery policy `none`
 * a pass does nothing.
 *
 * args of scrubber_main: the period in milliseconds (decimal). */
#ifndef CRATE_SCRUBBER_H
#define CRATE_SCRUBBER_H

#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define SCRUBBER_DEFAULT_MS 500u

struct status scrubber_main(struct str args);
/* The IRQ 0 handler (exported so that the registry can call it by name). */
void scrubber_on_tick(uint8_t irq_line);

#endif
