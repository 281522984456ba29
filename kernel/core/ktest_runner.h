/* The in-kernel test runner; the KTEST macros are the trusted header
 * theseus/ktest.h, shared with crates. */
#ifndef THESEUS_KTEST_H
#define THESEUS_KTEST_H

#include "kernel.h"

#include <theseus/ktest.h>

/* Runs the tests the selector names ("all", "list", or a comma list of
 * names and prefixes ending in '*'), skipping through `after` when given:
 * the nano-core's own tests first, then those of every crate in the
 * archive that has a .ktests section (each such crate is loaded for it).
 * Never returns: exits QEMU with the verdict. */
[[noreturn]] void ktest_run(const char *selector, const char *after);

#endif
