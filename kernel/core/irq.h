/* The nano-core's interrupt entry (irq.c): vectors 32..255 arrive here
 * from exception_dispatch. The crate-facing side is <theseus/irq.h>. */
#ifndef THESEUS_CORE_IRQ_H
#define THESEUS_CORE_IRQ_H

#include "kernel.h"
#include <theseus/irq.h>

struct trap_frame;

/* Quiet the legacy PICs until a crate takes them over (from idt_init). */
void irq_init(void);

/* Call the registered dispatcher with `vector` (interrupts disabled, on
 * whatever stack the interrupt arrived on). Counts and ignores a vector
 * nobody can take. */
void irq_dispatch(uint8_t vector, struct trap_frame *frame);

/* The dispatcher's symbol ("" when none): tests save and restore it. */
const char *irq_dispatcher_symbol(void);

#endif
