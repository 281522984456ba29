/* The in-kernel test runner. */
#include "ktest.h"
#include "crates.h"
#include "selector.h"
#include "export.h"
#include "../arch/x86_64/trap.h"

extern const struct ktest __ktests_start[], __ktests_end[];

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

static bool selected(const struct ktest *k, const char *sel)
{
	return selector_matches(sel, k->name, k->flags & KTEST_MANUAL);
}

struct ktest_call {
	const struct ktest *test;
	struct ktest_ctx *ctx;
};

static void call_test(void *arg)
{
	struct ktest_call *c = arg;
	c->test->fn(c->ctx);
}

struct run_state {
	const char *selector;
	const char *after;
	bool skipping;
	unsigned passed, failed;
};

static void run_one(struct run_state *rs, const struct ktest *k)
{
	if (!selected(k, rs->selector))
		return;
	if (rs->skipping) {
		rs->skipping = strcmp(k->name, rs->after) != 0;
		return;
	}
	struct ktest_ctx ctx = {0};
	struct fault_point fp;
	struct ktest_call call = {k, &ctx};
	kprintf("KTEST RUN %s\n", k->name);
	int vec = kfault_try(&fp, call_test, &call);
	if (vec) {
		ksnprintf(ctx.message, sizeof ctx.message, "CPU exception %d (%s) at %p", vec - 1,
			  exception_name((uint64_t)(vec - 1)), (void *)fp.fault_rip);
		ctx.failed = true;
	}
	if (ctx.failed) {
		rs->failed++;
		kprintf("KTEST FAIL %s %s\n", k->name, ctx.message);
	} else {
		rs->passed++;
		kprintf("KTEST PASS %s\n", k->name);
	}
}

/* Exact names in the selector that no nano-core test answers: only then
 * are crates loaded to look for their tests. */
static bool selector_may_name_crate_tests(const char *sel)
{
	if (!strcmp(sel, "all") || !strcmp(sel, "list"))
		return true;
	const char *p = sel;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		size_t len = (size_t)(end - p);
		bool found = false;
		for (const struct ktest *k = __ktests_start; k < __ktests_end && !found; k++)
			found = strlen(k->name) == len && !strncmp(k->name, p, len);
		if (!found)
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

/* A loaded crate's test records: every section named .ktests*. */
static void for_each_crate_test(const struct loaded_crate *c, void (*fn)(void *, const struct ktest *),
				void *ctx)
{
	for (uint32_t i = 0; i < c->section_count; i++) {
		const struct crate_section *sec = &c->sections[i];
		if (strncmp(sec->name, ".ktests", 7) || !sec->vaddr)
			continue;
		const struct ktest *k = (const struct ktest *)sec->vaddr;
		for (uint64_t n = 0; n < sec->size / sizeof *k; n++)
			fn(ctx, &k[n]);
	}
}

static void count_test(void *ctx, const struct ktest *k)
{
	struct run_state *rs = ctx;
	if (!strcmp(rs->selector, "list"))
		kprintf("KTEST LIST %s%s\n", k->name, k->flags & KTEST_MANUAL ? " manual" : "");
	else if (selected(k, rs->selector))
		rs->passed++; /* used as a counter here */
}

static void run_crate_test(void *ctx, const struct ktest *k) { run_one(ctx, k); }

static void run_crate_tests(struct run_state *rs)
{
	struct linker *l = crates_linker();
	if (!l || !selector_may_name_crate_tests(rs->selector))
		return;
	for (uint32_t id = 0; id < l->archive.crate_count; id++) {
		if (!linker_archive_crate_has_section(l, id, ".ktests"))
			continue;
		struct archive_crate ac = archive_crate_at(&l->archive, id);
		uint32_t loaded_id;
		struct link_error err;
		struct status s = linker_load_crate(l, ac.name, &loaded_id, &err);
		const struct loaded_crate *c = linker_crate(l, id);
		if (!c) {
			char why[200];
			link_error_format(&err, why, sizeof why);
			kprintf("KTEST CRATE %s 1\nKTEST RUN crate.%s.load\nKTEST FAIL crate.%s.load %s\n", ac.name,
				ac.name, ac.name, why);
			rs->failed++;
			(void)s;
			continue;
		}
		struct run_state counter = {rs->selector, NULL, false, 0, 0};
		for_each_crate_test(c, count_test, &counter);
		if (!strcmp(rs->selector, "list"))
			continue;
		kprintf("KTEST CRATE %s %u\n", ac.name, counter.passed);
		for_each_crate_test(c, run_crate_test, rs);
	}
}

void ktest_run(const char *selector, const char *after)
{
	struct run_state rs = {selector, after, after && *after, 0, 0};
	unsigned count = 0;
	bool list_only = !strcmp(selector, "list");

	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++)
		if (list_only || selected(k, selector))
			count++;

	kprintf("KTEST BEGIN %u\n", count);
	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++) {
		if (list_only)
			kprintf("KTEST LIST %s%s\n", k->name, k->flags & KTEST_MANUAL ? " manual" : "");
		else
			run_one(&rs, k);
	}
	run_crate_tests(&rs);
	kprintf("KTEST END %u passed, %u failed\n", rs.passed, rs.failed);
	qemu_exit(rs.failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
