/* Trusted header: the CPU operations crates may use. Those that can stop
 * the machine (disabling interrupts, halting) are in theseus/halting.h,
 * usable only by the crates named for them. */
#ifndef THESEUS_CPU_API_H
#define THESEUS_CPU_API_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/halting.h>

static inline uint64_t cpu_timestamp(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Give back what cpu_irq_save (theseus/halting.h) returned. */
static inline void cpu_irq_restore(bool enabled)
{
	if (enabled)
		__asm__ volatile("sti" ::: "memory");
}

static inline void cpu_irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }

static inline void cpu_relax_hint(void) { __asm__ volatile("pause"); }

#endif
