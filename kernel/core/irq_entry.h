/* The nano-core's interrupt entry (irq_entry.c): vectors 32..255 arrive
 * here from the trap layer. The crate-facing side is <theseus/irq.h>. */
#ifndef THESEUS_IRQ_ENTRY_H
#define THESEUS_IRQ_ENTRY_H

#include "kernel.h"
#include <theseus/irq.h>

/* Quiet the legacy PICs until a crate takes them over, and take vectors
 * 32..255 from the trap layer: each goes to the registered dispatcher
 * (interrupts disabled, on whatever stack it arrived on); a vector nobody
 * can take is counted and ignored. */
void irq_entry_init(void);

/* A fault that struck while an interrupt was being delivered (a corrupt
 * stack pointer makes the CPU's own push fault, then double-fault) is
 * unwound without the dispatcher ever running, so nobody acknowledged the
 * interrupt and the 8259 would hold that line, and every lower-priority
 * one, in service for good. Called when such a fault unwinds to task
 * level, where nothing is legitimately in service (the dispatcher
 * acknowledges before any handler switches tasks): ends every interrupt
 * the PICs still hold in service. Returns how many. */
unsigned irq_entry_end_stale(void);

/* Preemption holds (theseus/preemption.h) and interrupt nesting as they
 * are now; a fault unwound out of a protected call puts them back, so the
 * holds taken inside the abandoned call go with it. */
struct preemption_state {
	uint32_t holds, irq_depth;
};
struct preemption_state preemption_now(void);
void preemption_unwind(struct preemption_state was);

/* The dispatcher's symbol ("" when none): tests save and restore it. */
const char *irq_dispatcher_symbol(void);

#endif
