/* serial_input: COM1 receive interrupts (IRQ 4) into a ring buffer.
 *
 * While started, the UART interrupts on received bytes, the IRQ 4 handler
 * moves them into a ring buffer, and readers take them out without
 * blocking. Starting takes the console input over: the nano-core's polled
 * kernel_console_try_read_char (which the shell uses) no longer sees bytes
 * until serial_input_stop. That is why loading the crate does not start
 * it: a console reader that reads through serial_input_read starts it.
 * Listeners (exported `void fn(uint8_t irq_line)`, held by name) are called
 * from the interrupt after new bytes were queued, e.g. to wake a task. */
#ifndef CRATE_SERIAL_INPUT_H
#define CRATE_SERIAL_INPUT_H

#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define SERIAL_INPUT_IRQ_LINE 4
#define SERIAL_INPUT_BUFFER 256 /* bytes queued at most; more are dropped */
#define SERIAL_INPUT_MAX_LISTENERS 4

/* Enable the receive interrupt and route IRQ 4 here. E_EXIST when started;
 * errors of interrupts_register otherwise. */
struct status serial_input_start(void);
/* Back to polled input (queued bytes stay readable). E_NOENT when stopped. */
struct status serial_input_stop(void);

/* Move up to out.len queued bytes into out; how many were moved. */
size_t serial_input_read(struct bytes out);

struct serial_input_stats {
	uint64_t received; /* bytes taken from the UART */
	uint64_t dropped;  /* bytes lost because the buffer was full */
	uint64_t queued;   /* bytes waiting now */
	bool started;
};
void serial_input_stats(struct serial_input_stats *out);

/* Call exported `listener_symbol` after each interrupt that queued bytes.
 * E_EXIST, E_NOMEM (SERIAL_INPUT_MAX_LISTENERS), E_NOENT, E_INVAL as for
 * interrupts_register. */
struct status serial_input_listen(struct str listener_symbol);
struct status serial_input_unlisten(struct str listener_symbol);

/* The IRQ 4 handler (exported so that the registry can call it by name). */
void serial_input_on_irq(uint8_t irq_line);

#endif
