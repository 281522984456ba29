/* serial_input: COM1 received bytes, by interrupt, into a ring buffer. */
#include <theseus/cpu.h>
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
