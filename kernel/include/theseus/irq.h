/* Trusted header: the nano-core's interrupt entry, for the interrupts crate
 * and for crates that call functions held by name from interrupt context.
 *
 * Vectors 0..31 are CPU exceptions. Every vector from 32 to 255 enters the
 * nano-core's interrupt entry, which calls ONE dispatcher: the exported
 * crate function `void fn(uint8_t vector)` registered as the service
 * KERNEL_SERVICE_IRQ_DISPATCH (theseus/services.h), held by name and
 * re-resolved through the runtime linker whenever the crate behind it was
 * unloaded or replaced. Interrupt handlers run with interrupts
 * disabled, under a recovery point: a fault in crate code is reported and
 * fails that one call, never the kernel. See docs/interrupts.md. */
#ifndef THESEUS_IRQ_API_H
#define THESEUS_IRQ_API_H

#include <stdint.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/sealed.h>
#include <theseus/slice.h>

#define IRQ_FIRST_VECTOR 32
#define IRQ_SYMBOL_MAX 64 /* bytes of a symbol name, with its NUL */

/* A re-resolvable reference to an exported function `void fn(uint8_t)`:
 * its name (kept in the crate archive, which outlives every crate) plus
 * the linker's weak reference to it. The holder keeps it (client-held
 * state); only the nano-core reads or writes its fields. */
struct SEALED irq_handler_ref {
	uint32_t name_off;   /* the symbol in the archive's string table */
	uint32_t crate_id;   /* LINKER_NO_CRATE: not resolved (yet) */
	uint32_t generation; /* of that crate when resolved */
	uint32_t flags;      /* IRQ_REF_BOUND, IRQ_REF_PROVISIONAL */
	uint64_t address;    /* cached; trusted only while the generation holds */
};
#define IRQ_REF_BOUND 1u       /* names a symbol */
#define IRQ_REF_PROVISIONAL 2u /* resolved in a crate still being loaded */

/* The name a reference was bound to ("" for none); the text lives in the
 * archive, for as long as the system runs. */
struct str kernel_irq_handler_symbol(const struct irq_handler_ref *ref);

/* Bind a reference to exported `symbol` (type `void fn(uint8_t)`).
 * E_NOENT when no crate in the archive exports it, E_INVAL for a bad name
 * or a symbol that is not code. The provider is loaded on demand, except
 * while a load is in progress (from a crate's init): then the reference
 * resolves as soon as a call finds the provider loaded. */
struct status kernel_irq_handler_bind(struct str symbol, struct irq_handler_ref *out);

/* Call the function behind `ref` with `arg`, under a recovery point, with
 * a strong reference on its crate for the duration. Never loads a crate.
 * E_OK: it ran. E_STALE: its crate is not loaded now (not called).
 * E_FAULT: it raised a CPU exception (reported with the crate's name). */
struct status kernel_irq_handler_call(struct irq_handler_ref *ref, uint8_t arg);

/* What the nano-core saw of interrupts since boot. */
struct irq_entry_stats {
	uint64_t entered;           /* vectors 32..255 taken */
	uint64_t unrouted;          /* no dispatcher, or its crate not loaded */
	uint64_t dispatcher_faults; /* the dispatcher raised an exception */
	uint64_t handler_faults;    /* kernel_irq_handler_call saw an exception */
	uint64_t holds_dropped;     /* preemption held past PREEMPT_HOLD_LIMIT (theseus/preemption.h) */
};
void kernel_irq_entry_stats(struct irq_entry_stats *out);

#endif
