/* The in-kernel test runner; the KTEST macros are the trusted header
 * theseus/ktest.h, shared with crates. */
#ifndef THESEUS_KTEST_H
#define THESEUS_KTEST_H

#include "kernel.h"

#include <theseus/ktest.h>

/* The nano-core's own tests format messages with kprintf's conversions
 * (%p, %lx, C strings): ktest_failf, which crates cannot reach (it is not
 * exported; crates have the typed ktest_fail_typed). */
void ktest_failf(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#undef KT_EXPECT_MSG
#define KT_EXPECT_MSG(t, cond, ...)                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_failf((t), __FILE__, __LINE__, __VA_ARGS__);      \
			return;                                                 \
		}                                                               \
	} while (0)

/* Runs the tests the selector names ("all", "list", or a comma list of
 * names and prefixes ending in '*'), skipping through `after` when given:
 * the nano-core's own tests first, then those of every crate in the
 * archive that has a .ktests section (each such crate is loaded for it).
 * Never returns: exits QEMU with the verdict. */
[[noreturn]] void ktest_run(const char *selector, const char *after);

#endif
