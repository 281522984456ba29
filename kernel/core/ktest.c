/* In-kernel tests: the record kind for the runner (records.c) and
 * ktest_failf, which tests call through KT_EXPECT. */
#include "records.h"
#include "export.h"
#include "fault.h"

extern const struct record __ktests_start[], __ktests_end[];
_Static_assert(sizeof(struct ktest) == sizeof(struct record), "a ktest is a record");

KERNEL_EXPORT void ktest_failf(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
{
	const char *base = file;
	for (const char *p = file; *p; p++)
		if (*p == '/')
			base = p + 1;
	int n = ksnprintf(t->message, sizeof t->message, "%s:%d: ", base, line);
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof t->message)
		kvsnprintf(t->message + n, sizeof t->message - (size_t)n, fmt, ap);
	va_end(ap);
	t->failed = true;
}
KEXPORT(ktest_failf);

static bool run_test(const struct record *r, char *why, size_t cap)
{
	struct ktest_ctx ctx = {0};
	struct crate_call c = {.address = (uint64_t)r->fn, .shape = FN_VOID_PTR, .p = &ctx};
	struct fault_report fault;
	if (!protected_call(&c, &fault)) {
		fault_describe(&fault, why, cap);
		return false;
	}
	copy_cstr(why, cap, ctx.message);
	return !ctx.failed;
}

static const struct record_kind tests = {
	.tag = "KTEST",
	.section = ".ktests",
	.own = __ktests_start,
	.own_end = __ktests_end,
	.manual_flag = KTEST_MANUAL,
	.pass_word = "PASS",
	.ran_word = "passed",
	.run = run_test,
};

void ktest_run(const char *selector, const char *after) { records_run(&tests, selector, after); }
