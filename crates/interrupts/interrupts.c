/* interrupts: drives the two 8259 PICs over port I/O and keeps the
 * registry of IRQ handlers (an instance of the mux pattern, crates/mux). */
#include <theseus/cpu.h>
#include <theseus/crates.h>
#include <theseus/crate.h>
#include <theseus/irq.h>
#include <theseus/services.h>
#include <theseus/portio.h>
#include "fmt.h"
#include "interrupts.h"
#include "log.h"
#include "mux.h"

CRATE("interrupts", "1.0.0", "8259 PIC driver and the registry of IRQ handlers", "interrupts_init", "",
      "log,fmt");

#define PIC1_COMMAND 0x20
#define PIC1_DATA 0x21
#define PIC2_COMMAND 0xA0
#define PIC2_DATA 0xA1
#define PIC_ICW1_INIT_ICW4 0x11
#define PIC_ICW4_8086 0x01
#define PIC_EOI 0x20
#define PIC_READ_ISR 0x0B
#define SLAVE_VECTOR_BASE (INTERRUPTS_VECTOR_BASE + 8)

MUX_DEFINE(irq_mux, uint8_t, struct irq_handler_ref, INTERRUPTS_MAX_HANDLERS)

struct line_counts {
	uint64_t taken, spurious, handler_calls, handler_missed, handler_faults;
};

/* This crate's whole state, and unavoidable: the PIC reports an interrupt
 * as a bare vector, so the handlers of each line (held by name, not by
 * pointer) and the per-line counts can only live here. The mask itself
 * is not duplicated: it is read back from the PICs. */
static struct irq_mux handlers;
/* Per registration (by slot): faults in a row, and interrupts still to
 * skip before the handler is tried again. */
#define FAULTS_BEFORE_PAUSE 3
#define PAUSE_INTERRUPTS 1000
static struct {
	uint32_t faults_in_a_row;
	uint32_t paused_for;
} health[INTERRUPTS_MAX_HANDLERS];
static struct line_counts counts[INTERRUPTS_LINES];
static uint64_t foreign_vectors;

static uint16_t data_port(uint8_t line) { return line < 8 ? PIC1_DATA : PIC2_DATA; }

static bool line_masked(uint8_t line)
{
	return (port_in8(data_port(line)) >> (line & 7)) & 1;
}

static void set_line_masked(uint8_t line, bool masked)
{
	uint8_t bit = (uint8_t)(1u << (line & 7));
	uint8_t mask = port_in8(data_port(line));
	port_out8(data_port(line), masked ? (uint8_t)(mask | bit) : (uint8_t)(mask & ~bit));
	if (line >= 8) /* the cascade is open while any slave line is */
		set_line_masked(INTERRUPTS_CASCADE_LINE, port_in8(PIC2_DATA) == 0xFF);
}

/* Is `line` in service? Tells a real line 7 or 15 from a spurious one. */
static bool line_in_service(uint8_t line)
{
	uint16_t command = line < 8 ? PIC1_COMMAND : PIC2_COMMAND;
	port_out8(command, PIC_READ_ISR);
	return (port_in8(command) >> (line & 7)) & 1;
}

static void end_of_interrupt(uint8_t line)
{
	if (line >= 8)
		port_out8(PIC2_COMMAND, PIC_EOI);
	port_out8(PIC1_COMMAND, PIC_EOI);
}

/* ICW1..ICW4: vectors 32..47, slave on line 2, every line masked. */
static void pic_remap(void)
{
	port_out8(PIC1_COMMAND, PIC_ICW1_INIT_ICW4);
	port_out8(PIC2_COMMAND, PIC_ICW1_INIT_ICW4);
	port_out8(PIC1_DATA, INTERRUPTS_VECTOR_BASE);
	port_out8(PIC2_DATA, SLAVE_VECTOR_BASE);
	port_out8(PIC1_DATA, 1u << INTERRUPTS_CASCADE_LINE);
	port_out8(PIC2_DATA, INTERRUPTS_CASCADE_LINE);
	port_out8(PIC1_DATA, PIC_ICW4_8086);
	port_out8(PIC2_DATA, PIC_ICW4_8086);
	port_out8(PIC1_DATA, 0xFF);
	port_out8(PIC2_DATA, 0xFF);
	/* An earlier version of this crate may have been unloaded in the
	 * middle of an interrupt: leave nothing in service. */
	port_out8(PIC2_COMMAND, PIC_EOI);
	port_out8(PIC1_COMMAND, PIC_EOI);
}

static void report_pause(uint8_t line, struct str symbol)
{
	struct fmt_line text;
	fmt_clear(&text);
	fmt_str(&text, STR("handler "));
	fmt_str(&text, symbol);
	fmt_str(&text, STR(" of IRQ "));
	fmt_u64(&text, line);
	fmt_str(&text, STR(" faulted 3 times in a row; paused for 1000 interrupts, then tried again"));
	log_line(LOG_WARN, STR("interrupts"), &text);
}

static void report_dropped(uint8_t line, struct str symbol)
{
	struct fmt_line text;
	fmt_clear(&text);
	fmt_str(&text, STR("handler "));
	fmt_str(&text, symbol);
	fmt_str(&text, STR(" of IRQ "));
	fmt_u64(&text, line);
	fmt_str(&text, STR(": no loaded crate exports it any more; unregistered"));
	log_line(LOG_WARN, STR("interrupts"), &text);
}

/* Call every handler of `line`. Runs with interrupts disabled, but a
 * handler may switch tasks and the registry may change before it comes
 * back: the cursor and the sequence check below cope with that.
 *
 * A handler that faults stays registered: the nano-core has repaired its
 * crate's code if that was corrupt, and a restarted crate is reached
 * through the same name. One that keeps faulting (bad state, a bug) is
 * paused for a while rather than called into a fault at every interrupt,
 * then tried again; the line is never left dead. One whose crate was
 * unloaded is unregistered. */
static void run_handlers(uint8_t line)
{
	struct irq_mux_cursor cursor = irq_mux_cursor(line);
	size_t slot;
	while (irq_mux_next(&handlers, &cursor, &slot)) {
		if (health[slot].paused_for) {
			health[slot].paused_for--;
			counts[line].handler_missed++;
			continue;
		}
		uint64_t seq = handlers.subs[slot].seq;
		struct status st = kernel_irq_handler_call(&handlers.subs[slot].target, line);
		bool still = handlers.subs[slot].used && handlers.subs[slot].seq == seq;
		if (status_ok(st)) {
			counts[line].handler_calls++;
			if (still)
				health[slot].faults_in_a_row = 0;
		} else if (st.err == E_FAULT) {
			counts[line].handler_faults++;
			if (still && ++health[slot].faults_in_a_row >= FAULTS_BEFORE_PAUSE) {
				health[slot].faults_in_a_row = 0;
				health[slot].paused_for = PAUSE_INTERRUPTS;
				report_pause(line, kernel_irq_handler_symbol(&handlers.subs[slot].target));
			}
		} else if (st.err == E_STALE) {
			/* Not called: no loaded crate exports the name (its crate
			 * was unloaded; a swap or restart never leaves that gap).
			 * The registration would hold the slot and keep the line
			 * open for nothing. */
			counts[line].handler_missed++;
			report_dropped(line, kernel_irq_handler_symbol(&handlers.subs[slot].target));
			irq_mux_remove_at(&handlers, slot);
			if (irq_mux_count(&handlers, line) == 0)
				set_line_masked(line, true);
		} else {
			counts[line].handler_missed++;
		}
	}
}

CRATE_EXPORT void interrupts_dispatch(uint8_t vector)
{
	if (vector < INTERRUPTS_VECTOR_BASE || vector >= INTERRUPTS_VECTOR_BASE + INTERRUPTS_LINES) {
		foreign_vectors++;
		return;
	}
	uint8_t line = (uint8_t)(vector - INTERRUPTS_VECTOR_BASE);
	if ((line == 7 || line == 15) && !line_in_service(line)) {
		/* A spurious interrupt gets no end of interrupt, except that
		 * the master did raise its cascade line for a slave one. */
		counts[line].spurious++;
		if (line == 15)
			port_out8(PIC1_COMMAND, PIC_EOI);
		return;
	}
	counts[line].taken++;
	end_of_interrupt(line);
	run_handlers(line);
}

static bool valid_line(uint8_t line)
{
	return line < INTERRUPTS_LINES && line != INTERRUPTS_CASCADE_LINE;
}

/* The slot of `symbol` on `line`, or INTERRUPTS_MAX_HANDLERS. */
static size_t find(uint8_t line, struct str symbol)
{
	struct irq_mux_cursor cursor = irq_mux_cursor(line);
	size_t slot;
	while (irq_mux_next(&handlers, &cursor, &slot))
		if (str_eq(kernel_irq_handler_symbol(&handlers.subs[slot].target), symbol))
			return slot;
	return INTERRUPTS_MAX_HANDLERS;
}

CRATE_EXPORT struct status interrupts_register(uint8_t irq_line, struct str handler_symbol)
{
	if (!valid_line(irq_line))
		return STATUS(E_INVAL);
	/* Bind first, with interrupts on: it may load the handler's crate. */
	struct irq_handler_ref ref;
	struct status st = kernel_irq_handler_bind(handler_symbol, &ref);
	if (!status_ok(st))
		return st;
	bool enabled = cpu_irq_save();
	size_t slot = find(irq_line, handler_symbol);
	if (slot != INTERRUPTS_MAX_HANDLERS)
		st = STATUS(E_EXIST);
	else
		st = irq_mux_add(&handlers, irq_line, ref, &slot);
	if (status_ok(st))
		health[slot % INTERRUPTS_MAX_HANDLERS].faults_in_a_row = health[slot % INTERRUPTS_MAX_HANDLERS].paused_for = 0;
	if (status_ok(st))
		set_line_masked(irq_line, false);
	cpu_irq_restore(enabled);
	return st;
}

CRATE_EXPORT struct status interrupts_unregister(uint8_t irq_line, struct str handler_symbol)
{
	if (!valid_line(irq_line))
		return STATUS(E_INVAL);
	bool enabled = cpu_irq_save();
	struct status st = STATUS(E_NOENT);
	size_t slot = find(irq_line, handler_symbol);
	if (slot != INTERRUPTS_MAX_HANDLERS) {
		irq_mux_remove_at(&handlers, slot);
		if (irq_mux_count(&handlers, irq_line) == 0)
			set_line_masked(irq_line, true);
		st = STATUS_OK;
	}
	cpu_irq_restore(enabled);
	return st;
}

CRATE_EXPORT void interrupts_stats(struct interrupts_stats *out)
{
	bool enabled = cpu_irq_save();
	for (uint8_t line = 0; line < INTERRUPTS_LINES; line++) {
		const struct line_counts *c = ARRAY_AT(counts, line);
		*ARRAY_AT(out->lines, line) = (struct irq_line_stats){
			.line = line,
			.vector = (uint8_t)(INTERRUPTS_VECTOR_BASE + line),
			.masked = line_masked(line),
			.handlers = (uint32_t)irq_mux_count(&handlers, line),
			.taken = c->taken,
			.spurious = c->spurious,
			.handler_calls = c->handler_calls,
			.handler_missed = c->handler_missed,
			.handler_faults = c->handler_faults,
		};
	}
	out->foreign_vectors = foreign_vectors;
	cpu_irq_restore(enabled);
}

CRATE_EXPORT struct interrupts_name_result interrupts_handler_name(uint8_t irq_line, size_t index)
{
	if (irq_line >= INTERRUPTS_LINES)
		return (struct interrupts_name_result){E_INVAL, STR_EMPTY};
	struct interrupts_name_result r = {E_NOENT, STR_EMPTY};
	bool enabled = cpu_irq_save();
	struct irq_mux_cursor cursor = irq_mux_cursor(irq_line);
	size_t slot, seen = 0;
	while (irq_mux_next(&handlers, &cursor, &slot)) {
		if (seen++ == index) {
			r = (struct interrupts_name_result){E_OK, kernel_irq_handler_symbol(&handlers.subs[slot].target)};
			break;
		}
	}
	cpu_irq_restore(enabled);
	return r;
}

/* ---- live replacement: what a new version takes over ---- */

/* The registry and the counts, as plain data through the swap's handover
 * (theseus/crates.h): the registrations go by name, and the new version
 * binds each name again (a handler reference is sealed: it cannot be
 * copied as bytes; a name no loaded crate exports any more is dropped, as
 * an interrupt would drop it). Format 1. */
#define HANDOVER_FORMAT 1u
struct carried_registration {
	uint32_t line;
	uint32_t faults_in_a_row, paused_for;
	char symbol[IRQ_SYMBOL_MAX];
};
struct carried {
	uint32_t format;
	uint32_t count;
	uint64_t foreign_vectors;
	struct line_counts counts[INTERRUPTS_LINES];
	struct carried_registration regs[INTERRUPTS_MAX_HANDLERS];
};

/* Runs with interrupts off, in the swap (interrupts_save is named by the
 * evolution crate's convention). */
CRATE_EXPORT struct status interrupts_save(void)
{
	struct carried c = {.format = HANDOVER_FORMAT, .foreign_vectors = foreign_vectors};
	for (uint8_t line = 0; line < INTERRUPTS_LINES; line++) {
		*ARRAY_AT(c.counts, line) = *ARRAY_AT(counts, line);
		struct irq_mux_cursor cursor = irq_mux_cursor(line);
		size_t slot;
		while (irq_mux_next(&handlers, &cursor, &slot) && c.count < INTERRUPTS_MAX_HANDLERS) {
			struct carried_registration *r = ARRAY_AT(c.regs, c.count);
			r->line = line;
			r->faults_in_a_row = ARRAY_AT(health, slot)->faults_in_a_row;
			r->paused_for = ARRAY_AT(health, slot)->paused_for;
			bytes_fill_cstr(BYTES_OF(r->symbol), kernel_irq_handler_symbol(&ARRAY_AT(handlers.subs, slot)->target));
			c.count++;
		}
	}
	return kernel_swap_handover_put(STR_OF_BYTES(BYTES_OF(c)));
}

/* The new version's side: bind each handler by name, in the order they
 * registered on each line, and unmask the lines that have one. A record
 * this version cannot read fails the swap, which takes the old version
 * back. */
CRATE_EXPORT struct status interrupts_migrate(uint32_t from_major)
{
	struct carried c = {};
	struct count_result got = kernel_swap_handover_get(BYTES_OF(c));
	if (from_major != 1 || got.err != E_OK || got.value != sizeof c || c.format != HANDOVER_FORMAT ||
	    c.count > INTERRUPTS_MAX_HANDLERS)
		return STATUS(got.err == E_OK ? E_INVAL : got.err);
	bool enabled = cpu_irq_save();
	foreign_vectors = c.foreign_vectors;
	for (uint8_t line = 0; line < INTERRUPTS_LINES; line++)
		*ARRAY_AT(counts, line) = *ARRAY_AT(c.counts, line);
	struct status st = STATUS_OK;
	for (uint32_t i = 0; i < c.count && status_ok(st); i++) {
		const struct carried_registration *r = ARRAY_AT(c.regs, i);
		struct irq_handler_ref ref;
		size_t slot;
		if (r->line >= INTERRUPTS_LINES || !valid_line((uint8_t)r->line)) {
			st = STATUS(E_INVAL);
			break;
		}
		/* A name nothing exports any more goes, as at an interrupt. */
		if (!status_ok(kernel_irq_handler_bind(STR_FROM_CSTR_ARRAY(r->symbol), &ref))) {
			report_dropped((uint8_t)r->line, STR_FROM_CSTR_ARRAY(r->symbol));
			continue;
		}
		st = irq_mux_add(&handlers, (uint8_t)r->line, ref, &slot);
		if (status_ok(st)) {
			*ARRAY_AT(health, slot) = (typeof(health[0])){r->faults_in_a_row, r->paused_for};
			set_line_masked((uint8_t)r->line, false);
		}
	}
	cpu_irq_restore(enabled);
	return st;
}

/* A swap's new version starts with no handler and every line masked; its
 * migrate hook brings the registrations back. */
struct status interrupts_init(void);
struct status interrupts_init(void)
{
	irq_mux_init(&handlers);
	pic_remap();
	return kernel_service_register(KERNEL_SERVICE_IRQ_DISPATCH, STR("interrupts_dispatch"));
}
