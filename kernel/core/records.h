/* The in-kernel test and benchmark runner. Tests and benchmarks are
 * records {name, fn, flags} in sections of the object that defines them
 * (.ktests.*, .kbench.*: theseus/ktest.h, theseus/kbench.h); one runner
 * selects them by name, runs the nano-core's own and then those of every
 * archive crate that has such a section (loading it), each under a
 * recovery point, and speaks the line protocol (testsuite/qemu/
 * ktest_protocol.md, benchmarks/README.md). */
#ifndef THESEUS_RECORDS_H
#define THESEUS_RECORDS_H

#include "kernel.h"
#include <theseus/kbench.h>
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

/* The layout both record kinds share. */
struct record {
	const char *name;
	void (*fn)(void *ctx);
	unsigned flags;
};

/* What differs between tests and benchmarks. */
struct record_kind {
	const char *tag;          /* "KTEST", "KBENCH": the protocol's first word */
	const char *section;      /* ".ktests", ".kbench" */
	const struct record *own, *own_end; /* the nano-core's records */
	unsigned manual_flag;     /* run only when named exactly */
	unsigned first_flag;      /* run before everything else (0: none) */
	const char *pass_word;    /* "PASS", "DONE" */
	const char *ran_word;     /* "passed", "ran": KTAG END <n> <ran_word>, <f> failed */
	/* Run r (its fn under a recovery point); false with *why on failure. */
	bool (*run)(const struct record *r, char *why, size_t cap);
	/* Once the first_flag records ran (facts about the run), or NULL. */
	void (*after_first)(void);
};

/* Run the records `selector` names ("all", "list", or a comma list of
 * names and prefixes ending in '*'), skipping through `after` when given.
 * Never returns: exits QEMU, with failure when a record failed. */
[[noreturn]] void records_run(const struct record_kind *kind, const char *selector, const char *after);

/* The two kinds (ktest.c, kbench.c). */
[[noreturn]] void ktest_run(const char *selector, const char *after);
/* `kmain_tsc`: the time-stamp counter at kmain's first instruction. */
[[noreturn]] void kbench_run(const char *selector, const char *after, uint64_t kmain_tsc);
/* That counter, as given to kbench_run; 0 before it. */
uint64_t kbench_kmain_tsc(void);

#endif
