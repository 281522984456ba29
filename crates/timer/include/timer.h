/* timer: the system tick. The PIT's channel 0 interrupts on IRQ 0 at
 * TIMER_HZ (divisor 1193 of the PIT's 1193182 Hz input: 1000.15 Hz); the
 * crate counts the ticks, and measures the TSC against the PIT once, at
 * init, so that others can turn cycle counts into time. Loading the crate
 * enables interrupts on the CPU (after its handler is registered). */
#ifndef CRATE_TIMER_H
#define CRATE_TIMER_H

#include <stdint.h>

#define TIMER_HZ 1000
#define TIMER_IRQ_LINE 0

/* Ticks since this crate was loaded. */
uint64_t timer_ticks(void);
/* The nominal tick rate, TIMER_HZ. */
uint64_t timer_hz(void);
/* Milliseconds since this crate was loaded, from the ticks and the exact
 * PIT period. */
uint64_t timer_uptime_ms(void);
/* TSC cycles per second, measured at init; 0 when the measurement failed. */
uint64_t timer_tsc_hz(void);
/* Cycles to nanoseconds by that measurement (0 when there is none). */
uint64_t timer_cycles_to_ns(uint64_t cycles);

/* The IRQ 0 handler (registered by the init; exported so that the
 * registry can call it by name). */
void timer_on_irq(uint8_t irq_line);

/* Live-update hooks (called by the nano-core's swap, not by clients):
 * the tick count and TSC measurement go to the state store, and come
 * back in the next version. */
struct status timer_save(void);
struct status timer_migrate(uint32_t from_major);

#endif
