// A local that holds a pointer must be initialized where it is declared: C
// has no definite-assignment check, and stack garbage is a wild pointer.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <hw/span.h>

int wild(void)
{
	// CHECK: uninitialized-pointer.c:[[@LINE+1]]:7: error: local variable 'p' of type 'int *' holds a pointer but has no initializer; hint: initialize it: NULL for a pointer, = {} for a struct or array [safe-c-uninitialized-pointer]
	int *p;
	return *p;
}

struct text {
	const char *chars;
	size_t len;
};

char first(void)
{
	// CHECK: uninitialized-pointer.c:[[@LINE+1]]:14: error: local variable 't' of type 'struct text' holds a pointer{{.*}} [safe-c-uninitialized-pointer]
	struct text t;
	return t.len ? *t.chars : 0;
}

int forged_handle(void)
{
	// A sealed handle full of stack garbage would be trusted by SPAN_AT.
	// CHECK: uninitialized-pointer.c:[[@LINE+1]]:18: error: local variable 's' of type 'struct int_span' holds a pointer{{.*}} [safe-c-uninitialized-pointer]
	struct int_span s;
	return SPAN_AT(s, 3);
}

int table_of_pointers(int i)
{
	// CHECK: uninitialized-pointer.c:[[@LINE+1]]:7: error: local variable 'slots' of type 'int *[4]' holds a pointer{{.*}} [safe-c-uninitialized-pointer]
	int *slots[4];
	return *slots[i & 3];
}
