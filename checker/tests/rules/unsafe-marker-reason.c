// In an allowlisted crate the reason must be a non-empty string literal, and
// a marker that covers nothing is reported (as a warning) so it gets removed.
// RUN: %not %safec -fplugin-arg-safec-crate=allowed -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/unsafe.h>

static const char *const why = "a variable is not a reason";

int *no_literal(unsigned long a)
{
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+2]]:9: error: UNSAFE needs a non-empty string literal as its reason{{.*}} [safe-c-unsafe-marker]
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+1]]:21: error: {{.*}}[safe-c-int-pointer-cast]
	return UNSAFE(why, (int *)a);
}

int *empty_reason(unsigned long a)
{
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+2]]:9: error: UNSAFE needs a non-empty string literal{{.*}} [safe-c-unsafe-marker]
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+1]]:22: error: {{.*}}[safe-c-int-pointer-cast]
	return UNSAFE("  ", (int *)a);
}

int nothing_unsafe(int x)
{
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+1]]:9: warning: UNSAFE site covers no unsafe operation; hint: remove the marker [safe-c-unsafe-marker]
	return UNSAFE("habit", x + 1);
}

int outside_the_marker(int *p)
{
	// Only what is inside the parentheses is covered.
	// CHECK-DAG: unsafe-marker-reason.c:[[@LINE+1]]:40: error: pointer arithmetic{{.*}} [safe-c-pointer-arithmetic]
	return UNSAFE("one read", p[0]) + *(p + 1);
}
