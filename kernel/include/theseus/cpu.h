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

/* CPUID: what the processor (or the hypervisor under it) says of itself.
 * A leaf above the highest one of its range (leaf 0, or 0x40000000 for a
 * hypervisor's) answers garbage: check the range first. */
struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpu_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
	return r;
}

#endif
