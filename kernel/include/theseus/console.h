/* Trusted header: the nano-core's console output, for crates. */
#ifndef THESEUS_CONSOLE_API_H
#define THESEUS_CONSOLE_API_H

#include <theseus/slice.h>

/* Write text to the serial console, as is ('\n' becomes CR LF). The text
 * of one call is never interleaved with another task's output. */
void kernel_console_write(struct str text);

#endif
