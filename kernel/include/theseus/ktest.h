/* Trusted header: in-kernel tests, for the nano-core and for crates.
 *
 *   KTEST(heap_reuse, "heap.reuse") { KT_EXPECT(t, a == b); }
 *
 * Each KTEST places a record in a .ktests.* section of the object that
 * defines it. The runner walks the nano-core's own section and, for every
 * crate in the archive that has such a section, loads the crate and walks
 * its records: tests live with the code they test, and no central list
 * exists. Each test runs under a recovery point, so a CPU exception fails
 * that test, not the run. Line protocol: testsuite/qemu/ktest_protocol.md. */
#ifndef THESEUS_KTEST_API_H
#define THESEUS_KTEST_API_H

#include <stdbool.h>

struct ktest_ctx {
	bool failed;
	char message[160];
};

enum ktest_flags {
	KTEST_MANUAL = 1, /* only when named explicitly: demonstrates a crash or a hang */
};

struct ktest {
	const char *name;
	void (*fn)(struct ktest_ctx *t);
	unsigned flags;
};

#define KTEST_FLAGS(ident, NAME, FLAGS)                                         \
	static void ktest_fn_##ident(struct ktest_ctx *t);                      \
	__attribute__((used, section(".ktests." #ident))) static const struct ktest \
		ktest_rec_##ident = {NAME, ktest_fn_##ident, FLAGS};            \
	static void ktest_fn_##ident([[maybe_unused]] struct ktest_ctx *t)

#define KTEST(ident, NAME) KTEST_FLAGS(ident, NAME, 0)

/* Record a failure (printf-style message). Exported by the nano-core. */
void ktest_failf(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fail the test and leave it, with the condition text as the message. */
#define KT_EXPECT(t, cond)                                                      \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_failf((t), __FILE__, __LINE__, "expected %s", #cond); \
			return;                                                 \
		}                                                               \
	} while (0)

#define KT_EXPECT_MSG(t, cond, ...)                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			ktest_failf((t), __FILE__, __LINE__, __VA_ARGS__);      \
			return;                                                 \
		}                                                               \
	} while (0)

#endif
