/* Trusted header: the nano-core's console output, for crates. */
#ifndef THESEUS_CONSOLE_API_H
#define THESEUS_CONSOLE_API_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/slice.h>

/* Write text to the serial console, as is ('\n' becomes CR LF). The text
 * of one call is never interleaved with another task's output. */
void kernel_console_write(struct str text);

/* kernel_console_write, begun on a line of its own: a newline first when
 * the console is in the middle of one (after a prompt or a half-typed
 * command, which the shell's line editor then draws again below). */
void kernel_console_write_line(struct str text);

/* Where the console's output stands: bytes written since boot (by any
 * writer: crates, the nano-core's own lines) and whether the last one
 * ended a line. A line editor takes a mark after each of its writes; a
 * later mark that differs means another task wrote into the line being
 * typed, which the editor then draws again below. */
struct console_mark {
	uint64_t written;
	bool line_start;
};
struct console_mark kernel_console_mark(void);

#endif
