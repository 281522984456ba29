/* In-kernel tests, registered by the code that owns them.
 *
 *   KTEST(frames_distinct, "frames.distinct") { KT_EXPECT(t, x == 1); }
 *
 * Each KTEST places a record in a .ktests.* section; the runner walks the
 * section, so no central list exists. Every test runs inside kfault_try(),
 * so a CPU exception fails that test instead of the run. Results go out on
 * the serial line in the format testsuite/qemu/ktest_protocol.md describes. */
#ifndef THESEUS_KTEST_H
#define THESEUS_KTEST_H

#include "kernel.h"

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

/* Runs the tests the selector names ("all", "list", or a comma list of
 * names and prefixes ending in '*'), skipping through `after` when given.
 * Never returns: exits QEMU with the verdict. */
[[noreturn]] void ktest_run(const char *selector, const char *after);

#endif
