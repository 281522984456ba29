/* Trusted header: the nano-core's console output, for crates. */
#ifndef THESEUS_CONSOLE_API_H
#define THESEUS_CONSOLE_API_H

#include <stdint.h>
#include <theseus/slice.h>

/* Write text to the serial console, as is ('\n' becomes CR LF). The text
 * of one call is never interleaved with another task's output. */
void kernel_console_write(struct str text);

/* Bytes written to the console since boot, by anyone. A line editor
 * compares it around its own writes: a count that moved by more than
 * what it wrote means another task's output landed in its line. */
uint64_t kernel_console_written(void);

#endif
