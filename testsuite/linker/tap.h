/* A tiny TAP producer for C host tests: plan, ok / not ok, diagnostics.
 * Header-only; each test program includes it once. */
#ifndef THESEUS_TAP_H
#define THESEUS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_number;
static int tap_failed;
static int tap_planned;

/* Optional: without it, tap_done prints the plan after the last case. */
static inline void tap_plan(int count)
{
	tap_planned = 1;
	printf("1..%d\n", count);
	fflush(stdout);
}

/* One case: `ok N - name`, or `not ok N - name # reason` when !pass. */
static inline int tap_check(int pass, const char *name, const char *fmt, ...)
{
	tap_number++;
	if (pass) {
		printf("ok %d - %s\n", tap_number, name);
	} else {
		tap_failed++;
		printf("not ok %d - %s # ", tap_number, name);
		va_list ap;
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	return pass;
}

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Exit status: nonzero when any case failed. */
static inline int tap_done(void)
{
	if (!tap_planned)
		printf("1..%d\n", tap_number);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#endif
