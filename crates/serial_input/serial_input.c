/* serial_input: COM1 received bytes, by interrupt, into a ring buffer. */
#include <theseus/cpu.h>
#include <theseus/crates.h>
#include <theseus/crate.h>
#include <theseus/irq.h>
#include <theseus/portio.h>
#include <theseus/uart16550.h>
#include "interrupts.h"
#include "mux.h"
#include "serial_input.h"

CRATE("serial_input", "1.0.0", "COM1 receive interrupts into a ring buffer", "", "", "interrupts");

#define LISTENERS_KEY 0 /* one event: bytes were queued */

MUX_DEFINE(listener_mux, uint8_t, struct irq_handler_ref, SERIAL_INPUT_MAX_LISTENERS)

/* This crate's whole state, and unavoidable: bytes arrive by interrupt,
 * whose handler is called with nothing but the line number, so the
 * buffer they wait in (and who wants to hear of them) lives here. */
static struct {
	unsigned char bytes[SERIAL_INPUT_BUFFER];
	uint32_t head; /* next byte to read */
	uint32_t len;
	uint64_t received, dropped;
	bool started;
} ring;
static struct listener_mux listeners;

static void queue_byte(unsigned char byte)
{
	ring.received++;
	if (ring.len == SERIAL_INPUT_BUFFER) {
		ring.dropped++;
		return;
	}
	ring.bytes[(ring.head + ring.len) % SERIAL_INPUT_BUFFER] = byte;
	ring.len++;
}

CRATE_EXPORT void serial_input_on_irq(uint8_t irq_line)
{
	bool queued = false;
	/* Drain the FIFO: one interrupt may stand for many bytes. */
	while (port_in8(COM1 + UART_LSR) & LSR_DATA_READY) {
		queue_byte(port_in8(COM1 + UART_DATA));
		queued = true;
	}
	if (!queued)
		return;
	struct listener_mux_cursor cursor = listener_mux_cursor(LISTENERS_KEY);
	size_t slot;
	while (listener_mux_next(&listeners, &cursor, &slot)) {
		/* One whose crate is not loaded misses this news; one that faults
		 * (reported by the nano-core) is dropped, as the registry does. */
		uint64_t seq = listeners.subs[slot].seq;
		struct status st = kernel_irq_handler_call(&listeners.subs[slot].target, irq_line);
		if (st.err == E_FAULT && listeners.subs[slot].used && listeners.subs[slot].seq == seq)
			listener_mux_remove_at(&listeners, slot);
	}
}

CRATE_EXPORT struct status serial_input_start(void)
{
	if (ring.started)
		return STATUS(E_EXIST);
	/* E_EXIST: left registered by an earlier incarnation of this crate;
	 * held by name, it reaches this one now. */
	struct status st = interrupts_register(SERIAL_INPUT_IRQ_LINE, STR("serial_input_on_irq"));
	if (!status_ok(st) && st.err != E_EXIST)
		return st;
	ring.started = true;
	port_out8(COM1 + UART_IER, IER_RECEIVED_DATA);
	return STATUS_OK;
}

CRATE_EXPORT struct status serial_input_stop(void)
{
	if (!ring.started)
		return STATUS(E_NOENT);
	port_out8(COM1 + UART_IER, 0);
	ring.started = false;
	return interrupts_unregister(SERIAL_INPUT_IRQ_LINE, STR("serial_input_on_irq"));
}

CRATE_EXPORT size_t serial_input_read(struct bytes out)
{
	bool enabled = cpu_irq_save();
	size_t n = 0;
	for (; n < out.len && ring.len; n++) {
		bytes_set(out, n, ring.bytes[ring.head]);
		ring.head = (ring.head + 1) % SERIAL_INPUT_BUFFER;
		ring.len--;
	}
	cpu_irq_restore(enabled);
	return n;
}

CRATE_EXPORT void serial_input_stats(struct serial_input_stats *out)
{
	bool enabled = cpu_irq_save();
	*out = (struct serial_input_stats){ring.received, ring.dropped, ring.len, ring.started};
	cpu_irq_restore(enabled);
}

static size_t find_listener(struct str symbol)
{
	struct listener_mux_cursor cursor = listener_mux_cursor(LISTENERS_KEY);
	size_t slot;
	while (listener_mux_next(&listeners, &cursor, &slot))
		if (str_eq(kernel_irq_handler_symbol(&listeners.subs[slot].target), symbol))
			return slot;
	return SERIAL_INPUT_MAX_LISTENERS;
}

CRATE_EXPORT struct status serial_input_listen(struct str listener_symbol)
{
	struct irq_handler_ref ref;
	struct status st = kernel_irq_handler_bind(listener_symbol, &ref);
	if (!status_ok(st))
		return st;
	size_t slot;
	bool enabled = cpu_irq_save();
	if (find_listener(listener_symbol) != SERIAL_INPUT_MAX_LISTENERS)
		st = STATUS(E_EXIST);
	else
		st = listener_mux_add(&listeners, LISTENERS_KEY, ref, &slot);
	cpu_irq_restore(enabled);
	return st;
}

CRATE_EXPORT struct status serial_input_unlisten(struct str listener_symbol)
{
	bool enabled = cpu_irq_save();
	size_t slot = find_listener(listener_symbol);
	struct status st = STATUS(E_NOENT);
	if (slot != SERIAL_INPUT_MAX_LISTENERS) {
		listener_mux_remove_at(&listeners, slot);
		st = STATUS_OK;
	}
	cpu_irq_restore(enabled);
	return st;
}

/* ---- live replacement: what a new version takes over ---- */

/* The ring as it is (bytes not read yet are not lost) and the listeners
 * by name, through the swap's handover: a listener reference is sealed,
 * so the new version binds each name again. Format 1. */
#define HANDOVER_FORMAT 1u
struct carried {
	uint32_t format;
	uint32_t listener_count;
	uint32_t head, len, started;
	uint64_t received, dropped;
	unsigned char bytes[SERIAL_INPUT_BUFFER];
	char listeners[SERIAL_INPUT_MAX_LISTENERS][IRQ_SYMBOL_MAX];
};

/* Runs with interrupts off, in the swap. */
CRATE_EXPORT struct status serial_input_save(void)
{
	struct carried c = {.format = HANDOVER_FORMAT, .head = ring.head, .len = ring.len, .started = ring.started,
			    .received = ring.received, .dropped = ring.dropped};
	for (size_t i = 0; i < SERIAL_INPUT_BUFFER; i++)
		*ARRAY_AT(c.bytes, i) = *ARRAY_AT(ring.bytes, i);
	struct listener_mux_cursor cursor = listener_mux_cursor(LISTENERS_KEY);
	size_t slot;
	while (listener_mux_next(&listeners, &cursor, &slot) && c.listener_count < SERIAL_INPUT_MAX_LISTENERS) {
		struct str name = kernel_irq_handler_symbol(&ARRAY_AT(listeners.subs, slot)->target);
		bytes_fill_cstr(BYTES_OF(*ARRAY_AT(c.listeners, c.listener_count)), name);
		c.listener_count++;
	}
	return kernel_swap_handover_put(STR_OF_BYTES(BYTES_OF(c)));
}

/* The new version's side. A record it cannot read fails the swap (the old
 * version comes back); a listener whose name nothing exports any more is
 * dropped, as a fault would drop it. */
CRATE_EXPORT struct status serial_input_migrate(uint32_t from_major)
{
	struct carried c = {};
	struct count_result got = kernel_swap_handover_get(BYTES_OF(c));
	if (from_major != 1 || got.err != E_OK || got.value != sizeof c || c.format != HANDOVER_FORMAT ||
	    c.head >= SERIAL_INPUT_BUFFER || c.len > SERIAL_INPUT_BUFFER || c.listener_count > SERIAL_INPUT_MAX_LISTENERS)
		return STATUS(got.err == E_OK ? E_INVAL : got.err);
	bool enabled = cpu_irq_save();
	for (size_t i = 0; i < SERIAL_INPUT_BUFFER; i++)
		*ARRAY_AT(ring.bytes, i) = *ARRAY_AT(c.bytes, i);
	ring.head = c.head;
	ring.len = c.len;
	ring.received = c.received;
	ring.dropped = c.dropped;
	ring.started = c.started != 0;
	struct status st = STATUS_OK;
	for (uint32_t i = 0; i < c.listener_count && status_ok(st); i++) {
		struct irq_handler_ref ref;
		size_t slot;
		if (status_ok(kernel_irq_handler_bind(STR_FROM_CSTR_ARRAY(*ARRAY_AT(c.listeners, i)), &ref)))
			st = listener_mux_add(&listeners, LISTENERS_KEY, ref, &slot);
	}
	cpu_irq_restore(enabled);
	return st;
}
