/* The kernel command line: space-separated words, each `key` or `key=value`. */
#ifndef THESEUS_CMDLINE_H
#define THESEUS_CMDLINE_H

#include "kernel.h"

/* Copies the value of `key` into out (NUL-terminated, truncated to cap).
 * A bare `key` yields "". Returns false when the key is absent. */
bool cmdline_get(const char *cmdline, const char *key, char *out, size_t cap);

#endif
