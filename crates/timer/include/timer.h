/* timer: the system tick. The PIT's channel 0 interrupts on IRQ 0 at
 * TIMER_HZ (divisor 1193 of the PIT's 1193182 Hz input: 1000.15 Hz); the
 * crate counts the ticks, and finds the TSC's frequency once, at init
 * (from CPUID when the CPU or hypervisor tells it, else by a short PIT
 * measurement), so that others can turn cycle counts into time. Loading the crate
 * enables interrupts on the CPU (after its handler is registered). */
#ifndef CRATE_TIMER_H
#define CRATE_TIMER_H

#include <stdint.h>
#include <theseus/slice.h>

#define TIMER_HZ 1000
#define TIMER_IRQ_LINE 0

/* Ticks since this crate was loaded. */
uint64_t timer_ticks(void);
/* The nominal tick rate, TIMER_HZ. */
uint64_t timer_hz(void);
/* Milliseconds since this crate was loaded, from the ticks and the exact
 * PIT period. */
uint64_t timer_uptime_ms(void);
/* TSC cycles per second, found at init; 0 when neither the CPU told it
 * nor the PIT measurement worked. */
uint64_t timer_tsc_hz(void);
/* Where timer_tsc_hz came from. */
enum timer_tsc_source {
	TIMER_TSC_UNKNOWN,     /* no figure */
	TIMER_TSC_CPUID_15,    /* CPUID leaf 0x15: crystal clock and TSC ratio */
	TIMER_TSC_CPUID_16,    /* leaf 0x15's ratio with leaf 0x16's base frequency */
	TIMER_TSC_HYPERVISOR,  /* the hypervisor's TSC frequency, leaf 0x40000010 */
	TIMER_TSC_PIT,         /* measured against PIT channel 2 (the fallback) */
};
enum timer_tsc_source timer_tsc_source(void);
/* "CPUID leaf 0x15", ..., "PIT channel 2", "unknown". */
struct str timer_tsc_source_name(enum timer_tsc_source source);
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
