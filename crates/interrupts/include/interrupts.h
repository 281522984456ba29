/* interrupts: the legacy 8259 PIC pair and the registry of IRQ handlers.
 *
 * The PICs are remapped so that IRQ line L arrives as vector 32 + L. A
 * crate handles a line by registering an exported function of its own,
 * by name:
 *
 *     CRATE_EXPORT void mydev_on_irq(uint8_t irq_line);
 *     ... interrupts_register(5, STR("mydev_on_irq")) ...
 *
 * Several handlers may share a line; each interrupt calls all of them, in
 * the order they registered. A handler is held by name and re-resolved
 * when its crate is unloaded or replaced, so a swap never leaves a
 * dangling pointer here (while its crate is not loaded it is skipped and
 * counted as missed). The end of interrupt goes to the PIC BEFORE the
 * handlers run, so a handler may switch to another task. Handlers run with
 * interrupts disabled; a handler that faults is reported and removed. A
 * line is unmasked while it has handlers and masked otherwise. */
#ifndef CRATE_INTERRUPTS_H
#define CRATE_INTERRUPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define INTERRUPTS_LINES 16
#define INTERRUPTS_VECTOR_BASE 32  /* vector of line 0 */
#define INTERRUPTS_CASCADE_LINE 2  /* the slave PIC; not a device line */
#define INTERRUPTS_MAX_HANDLERS 16 /* registrations, over all lines */

/* Call exported `void handler_symbol(uint8_t irq_line)` on every interrupt
 * of irq_line. E_INVAL: no such line (or the cascade line), or the symbol
 * is not code; E_NOENT: no crate exports it; E_EXIST: already registered
 * on that line; E_NOMEM: the registry is full. */
struct status interrupts_register(uint8_t irq_line, struct str handler_symbol);
/* E_NOENT when that handler is not registered on that line. */
struct status interrupts_unregister(uint8_t irq_line, struct str handler_symbol);

/* The dispatcher the nano-core calls for vectors 32..255 (registered by
 * this crate's init as the KERNEL_SERVICE_IRQ_DISPATCH service). */
void interrupts_dispatch(uint8_t vector);

struct irq_line_stats {
	uint8_t line;
	uint8_t vector;
	bool masked;
	uint32_t handlers;       /* registered now */
	uint64_t taken;          /* interrupts of this line */
	uint64_t spurious;       /* line 7 or 15 raised with nothing in service */
	uint64_t handler_calls;  /* handler calls that returned */
	uint64_t handler_missed; /* calls skipped: its crate not loaded, or the handler paused */
	uint64_t handler_faults; /* calls that faulted (the handler stays; paused after 3 in a row) */
};

struct interrupts_stats {
	struct irq_line_stats lines[INTERRUPTS_LINES];
	uint64_t foreign_vectors; /* vectors no PIC line maps to */
};

/* Fill the caller's record (counts since this crate was loaded). */
void interrupts_stats(struct interrupts_stats *out);

/* The name of handler `index` (0 = called first) of irq_line; the text
 * stays valid for as long as the system runs. E_NOENT past the last one,
 * E_INVAL for no such line. */
RESULT_TYPE(interrupts_name_result, struct str);
struct interrupts_name_result interrupts_handler_name(uint8_t irq_line, size_t index);

#endif
