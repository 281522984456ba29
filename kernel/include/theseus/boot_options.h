/* Trusted header: the kernel command line's options, for crates (the
 * shell's `spawn=`, say). Options are words `key` or `key=value`. */
#ifndef THESEUS_BOOT_OPTIONS_H
#define THESEUS_BOOT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <theseus/slice.h>

/* Copy the value of option `key` into `out` and set *len to its length.
 * A bare `key` has the empty value. False when the option is absent, or
 * its value does not fit in out (then *len is 0). */
bool kernel_boot_option(struct str key, struct bytes out, size_t *len);

#endif
