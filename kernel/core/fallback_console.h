/* The nano-core's own minimal console: what answers on the serial line
 * when no shell crate is running (and the fallback if it cannot load). */
#ifndef THESEUS_CONSOLE_H
#define THESEUS_CONSOLE_H

#include "kernel.h"

#define CONSOLE_PROMPT "theseus> "

/* Reads a line with basic editing (backspace); returns its length. */
size_t console_read_line(char *buf, size_t cap);
/* Answer commands until `restart` asks for the entry crate again. */
void console_run(void);

#endif
