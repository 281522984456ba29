/* Trusted header: holding off preemption, the cheap alternative to turning
 * interrupts off for a short critical section in task context.
 *
 * While a task holds preemption, interrupts still come and their handlers
 * run, but the switch a tick asks for waits until the last hold is
 * released (Linux's preempt_count). On one CPU that makes a section atomic
 * against every other task, and costs two memory increments where
 * cli/sti costs a pipeline (and, under TCG, a translation-block) flush.
 * It is no protection against interrupt handlers: code that handlers also
 * call checks cpu_irq_depth() and keeps them out itself.
 *
 * A hold is a halting operation (safe-C rule `halting`): a task that
 * holds preemption and loops would keep every other task off the CPU. The
 * nano-core bounds that: a hold still there after PREEMPT_HOLD_LIMIT
 * interrupts is reported as a fault of its holder and dropped, and a
 * fault unwound out of a protected call drops the holds taken inside it.
 * A hold must not span anything that blocks. */
#ifndef THESEUS_PREEMPTION_H
#define THESEUS_PREEMPTION_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/halting.h>
#include <theseus/sealed.h>

#define PREEMPT_HOLD_LIMIT 256u /* interrupts seen during one hold */

/* The nano-core's record. Crate code holds a pointer to it and reads it;
 * only the functions here and the nano-core write it. */
struct SEALED_WRITES cpu_preemption {
	volatile uint32_t holds;     /* holds not yet released */
	volatile uint32_t irq_depth; /* interrupt dispatches in progress */
	volatile uint32_t deferred;  /* interrupts whose switch waits for the release */
};

/* The record (the same for the kernel's lifetime): fetch it once, at init. */
struct cpu_preemption *kernel_preemption_record(void);
/* The switch deferred while preemption was held, made now. */
void kernel_preempt_deferred(void);

/* Hold preemption off; holds nest. Inline: two memory accesses. */
HALTING_OPERATION static inline void preempt_hold(struct cpu_preemption *p)
{
	p->holds = p->holds + 1;
	__asm__ volatile("" ::: "memory");
}

/* Release one hold; the last one makes the switch a tick asked for
 * meanwhile. A hold the nano-core dropped already is not released twice. */
static inline void preempt_release(struct cpu_preemption *p)
{
	__asm__ volatile("" ::: "memory");
	uint32_t holds = p->holds;
	if (holds)
		p->holds = holds - 1;
	if (holds == 1 && p->deferred)
		kernel_preempt_deferred();
}

/* 0 in task context; otherwise how many interrupt dispatches are nested
 * here (an interrupt handler that turned interrupts back on may be). */
static inline uint32_t preempt_irq_depth(const struct cpu_preemption *p) { return p->irq_depth; }

#endif
