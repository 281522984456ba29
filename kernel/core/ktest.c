/* The in-kernel test runner. */
#include "ktest.h"
#include "../arch/x86_64/trap.h"

extern const struct ktest __ktests_start[], __ktests_end[];

void ktest_failf(struct ktest_ctx *t, const char *file, int line, const char *fmt, ...)
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

/* Does `name` match one comma-separated item of `sel`? */
static bool selected(const struct ktest *k, const char *sel)
{
	if (!strcmp(sel, "all"))
		return !(k->flags & KTEST_MANUAL);
	const char *p = sel;
	while (*p) {
		const char *end = p;
		while (*end && *end != ',')
			end++;
		size_t len = (size_t)(end - p);
		bool prefix = len && p[len - 1] == '*';
		size_t cmp = prefix ? len - 1 : len;
		if (prefix ? !strncmp(k->name, p, cmp) && !(k->flags & KTEST_MANUAL)
			   : strlen(k->name) == len && !strncmp(k->name, p, len))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
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

void ktest_run(const char *selector, const char *after)
{
	unsigned count = 0, passed = 0, failed = 0;
	bool list_only = !strcmp(selector, "list");
	bool skipping = after && *after;

	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++)
		if (list_only || selected(k, selector))
			count++;

	kprintf("KTEST BEGIN %u\n", count);
	for (const struct ktest *k = __ktests_start; k < __ktests_end; k++) {
		if (list_only) {
			kprintf("KTEST LIST %s%s\n", k->name, k->flags & KTEST_MANUAL ? " manual" : "");
			continue;
		}
		if (!selected(k, selector))
			continue;
		if (skipping) {
			skipping = strcmp(k->name, after) != 0;
			continue;
		}
		struct ktest_ctx ctx = {0};
		struct fault_point fp;
		struct ktest_call call = {k, &ctx};
		kprintf("KTEST RUN %s\n", k->name);
		int vec = kfault_try(&fp, call_test, &call);
		if (vec) {
			ksnprintf(ctx.message, sizeof ctx.message, "CPU exception %d (%s) at %p",
				  vec - 1, exception_name((uint64_t)(vec - 1)), (void *)fp.fault_rip);
			ctx.failed = true;
		}
		if (ctx.failed) {
			failed++;
			kprintf("KTEST FAIL %s %s\n", k->name, ctx.message);
		} else {
			passed++;
			kprintf("KTEST PASS %s\n", k->name);
		}
	}
	kprintf("KTEST END %u passed, %u failed\n", passed, failed);
	qemu_exit(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}
