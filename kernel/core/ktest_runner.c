/* The in-kernel test runner. */
#include "ktest_runner.h"
#include "crate_env.h"
#include "selector.h"
#include "export.h"
#include "arch/x86_64/trap.h"

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

KEXPORT(ktest_failf);

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
