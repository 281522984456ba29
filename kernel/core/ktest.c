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

static bool is_format_modifier(char c)
{
	return c == '-' || c == '+' || c == ' ' || c == '#' || c == '.' || (c >= '0' && c <= '9') ||
	       c == 'h' || c == 'l' || c == 'z' || c == 'j' || c == 't';
}

/* One typed argument as text, whatever conversion the format named. */
static size_t format_arg(char *out, size_t cap, char conv, const struct ktest_arg *a)
{
	if (a->kind == KTEST_ARG_TEXT) {
		size_t n = a->text.len < cap ? a->text.len : cap;
		for (size_t i = 0; i < n; i++)
			out[i] = a->text.ptr[i];
		return n;
	}
	if (conv == 'c' && cap) {
		out[0] = (char)a->bits;
		return 1;
	}
	int n;
	if (conv == 'x')
		n = ksnprintf(out, cap + 1, "%lx", a->bits);
	else if (conv == 'X')
		n = ksnprintf(out, cap + 1, "%lX", a->bits);
	else if (a->kind == KTEST_ARG_SIGNED)
		n = ksnprintf(out, cap + 1, "%ld", (long)a->bits);
	else
		n = ksnprintf(out, cap + 1, "%lu", a->bits);
	return n < 0 ? 0 : (size_t)n > cap ? cap : (size_t)n;
}

/* The crates' failure message: a format whose arguments carry their own
 * types, so no conversion reads memory the caller did not hand over. */
KERNEL_EXPORT void ktest_fail_typed(struct ktest_ctx *t, struct str file, int line, struct str format,
				    const struct ktest_arg *args, size_t count)
{
	size_t base = 0;
	for (size_t i = 0; i < file.len; i++)
		if (file.ptr[i] == '/')
			base = i + 1;
	char *out = t->message;
	size_t cap = sizeof t->message - 1, n = 0, next = 0;
	for (size_t i = base; i < file.len && n < cap; i++)
		out[n++] = file.ptr[i];
	int head = ksnprintf(out + n, cap + 1 - n, ":%d: ", line);
	n += head < 0 ? 0 : (size_t)head > cap - n ? cap - n : (size_t)head;
	for (size_t i = 0; i < format.len && n < cap; i++) {
		char c = format.ptr[i];
		if (c != '%' || i + 1 >= format.len) {
			out[n++] = c;
			continue;
		}
		size_t j = i + 1;
		if (format.ptr[j] == '%') {
			out[n++] = '%';
			i = j;
			continue;
		}
		while (j < format.len && is_format_modifier(format.ptr[j]))
			j++;
		char conv = j < format.len ? format.ptr[j] : 0;
		i = j;
		if (next < count)
			n += format_arg(out + n, cap - n, conv, &args[next++]);
		else if (n < cap)
			out[n++] = '?';
	}
	out[n] = '\0';
	t->failed = true;
}
KEXPORT(ktest_fail_typed);

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
