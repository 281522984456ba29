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
#include <stddef.h>
#include <stdint.h>
#include <theseus/slice.h>

/* A static that a crate's in-kernel tests or benchmarks share with the
 * tasks they start (a task's argument is a number, not a pointer):
 *
 *   static KTEST_SCRATCH struct channel shared;
 *
 * It is scratch, not the crate's state: a swap or restart neither carries
 * it nor counts it, so a crate whose only statics are scratch is
 * stateless (the linker and the state-spill report count it apart, as
 * section KTEST_SCRATCH_SECTION). The checker accepts it only in a crate's
 * test and benchmark files (*_test.c, *_bench.c: rule test-scratch), so
 * a crate cannot hide its state from a swap this way. A test that runs
 * across a swap of its own crate cannot rely on it. */
#define KTEST_SCRATCH_SECTION ".bss.ktest_scratch"
#define KTEST_SCRATCH __attribute__((section(KTEST_SCRATCH_SECTION)))

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

/* The runner reads the name as NUL-terminated text: it must be a string
 * literal (safe-C rule macro-operand). */
#define KTEST_FLAGS(ident, NAME, FLAGS)                                         \
	_Static_assert(sizeof(slice_literal_check_(NAME)) == 1,                 \
		       "KTEST name: a string literal");                         \
	static void ktest_fn_##ident(struct ktest_ctx *t);                      \
	__attribute__((used, section(".ktests." #ident))) static const struct ktest \
		ktest_rec_##ident = {NAME, ktest_fn_##ident, FLAGS};            \
	static void ktest_fn_##ident([[maybe_unused]] struct ktest_ctx *t)

#define KTEST(ident, NAME) KTEST_FLAGS(ident, NAME, 0)

/* A failure message is a format with typed arguments: the nano-core
 * formats each argument by what it is (a signed or unsigned integer, or a
 * text view), whatever conversion the format names, so no format a crate
 * writes can make it read memory it was not given. %d %i %u %x %X %c %s
 * with any flags, width and length modifier; %% is a percent sign. */
enum ktest_arg_kind { KTEST_ARG_SIGNED, KTEST_ARG_UNSIGNED, KTEST_ARG_TEXT, KTEST_ARG_END };

struct ktest_arg {
	enum ktest_arg_kind kind;
	uint64_t bits;
	struct str text;
};

static inline struct ktest_arg ktest_arg_signed_(long long v)
{
	return (struct ktest_arg){KTEST_ARG_SIGNED, (uint64_t)v, STR_EMPTY};
}
static inline struct ktest_arg ktest_arg_unsigned_(unsigned long long v)
{
	return (struct ktest_arg){KTEST_ARG_UNSIGNED, v, STR_EMPTY};
}
static inline struct ktest_arg ktest_arg_text_(struct str s)
{
	return (struct ktest_arg){KTEST_ARG_TEXT, 0, s};
}
static inline struct ktest_arg ktest_arg_end_(void)
{
	return (struct ktest_arg){KTEST_ARG_END, 0, STR_EMPTY};
}

/* One argument: an integer of any type, or a struct str (for a char
 * array, STR_FROM_CSTR_ARRAY(arr)). Anything else does not compile. */
#define KTEST_ARG(x)                                                            \
	_Generic((x),                                                           \
		struct str: ktest_arg_text_,                                    \
		bool: ktest_arg_unsigned_,                                      \
		char: ktest_arg_signed_,                                        \
		signed char: ktest_arg_signed_,                                 \
		short: ktest_arg_signed_,                                       \
		int: ktest_arg_signed_,                                         \
		long: ktest_arg_signed_,                                        \
		long long: ktest_arg_signed_,                                   \
		unsigned char: ktest_arg_unsigned_,                             \
		unsigned short: ktest_arg_unsigned_,                            \
		unsigned int: ktest_arg_unsigned_,                              \
		unsigned long: ktest_arg_unsigned_,                             \
		unsigned long long: ktest_arg_unsigned_)(x)

#define KTEST_ARGS_PICK_(_1, _2, _3, _4, _5, _6, _7, _8, N, ...) N
#define KTEST_ARGS_1_(a) KTEST_ARG(a)
#define KTEST_ARGS_2_(a, ...) KTEST_ARG(a), KTEST_ARGS_1_(__VA_ARGS__)
#define KTEST_ARGS_3_(a, ...) KTEST_ARG(a), KTEST_ARGS_2_(__VA_ARGS__)
#define KTEST_ARGS_4_(a, ...) KTEST_ARG(a), KTEST_ARGS_3_(__VA_ARGS__)
#define KTEST_ARGS_5_(a, ...) KTEST_ARG(a), KTEST_ARGS_4_(__VA_ARGS__)
#define KTEST_ARGS_6_(a, ...) KTEST_ARG(a), KTEST_ARGS_5_(__VA_ARGS__)
#define KTEST_ARGS_7_(a, ...) KTEST_ARG(a), KTEST_ARGS_6_(__VA_ARGS__)
#define KTEST_ARGS_8_(a, ...) KTEST_ARG(a), KTEST_ARGS_7_(__VA_ARGS__)
/* Up to eight arguments, each through KTEST_ARG. */
#define KTEST_ARGS(...)                                                         \
	KTEST_ARGS_PICK_(__VA_ARGS__, KTEST_ARGS_8_, KTEST_ARGS_7_, KTEST_ARGS_6_, \
			 KTEST_ARGS_5_, KTEST_ARGS_4_, KTEST_ARGS_3_, KTEST_ARGS_2_, \
			 KTEST_ARGS_1_)(__VA_ARGS__)

/* Record a failure: `format` with `count` typed arguments. Exported by the
 * nano-core; reached through the macros below. */
void ktest_fail_typed(struct ktest_ctx *t, struct str file, int line, struct str format,
		      const struct ktest_arg *args, size_t count);

/* Fail the test and leave it, with the condition text as the message. */
#define KT_EXPECT(t, cond)                                                      \
	do {                                                                    \
		if (!(cond)) {                                                  \
			const struct ktest_arg ktest_args_[] = {                \
				ktest_arg_text_(STR(#cond)), ktest_arg_end_()}; \
			ktest_fail_typed((t), STR(__FILE__), __LINE__,          \
					 STR("expected %s"), ktest_args_, 1);   \
			return;                                                 \
		}                                                               \
	} while (0)

/* Record a failure (the test goes on): a format (a string literal) and
 * up to eight integer or struct str arguments. */
#define KT_FAIL(t, format, ...)                                                 \
	do {                                                                    \
		const struct ktest_arg ktest_args_[] = {                        \
			__VA_OPT__(KTEST_ARGS(__VA_ARGS__), )                   \
			ktest_arg_end_()};                                      \
		ktest_fail_typed((t), STR(__FILE__), __LINE__, STR(format),     \
				 ktest_args_,                                   \
				 sizeof ktest_args_ / sizeof ktest_args_[0] - 1); \
	} while (0)

/* Fail the test and leave it with a message, as KT_FAIL. */
#define KT_EXPECT_MSG(t, cond, format, ...)                                     \
	do {                                                                    \
		if (!(cond)) {                                                  \
			KT_FAIL((t), format __VA_OPT__(, ) __VA_ARGS__);        \
			return;                                                 \
		}                                                               \
	} while (0)

#endif
