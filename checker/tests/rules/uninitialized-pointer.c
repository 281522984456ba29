// Definite assignment: a local that holds a pointer is read only where it
// has been assigned on every path, and never where its declaration may have
// been jumped over.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <hw/span.h>

int wild(void)
{
	int *p;
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:10: error: local variable 'p' of type 'int *' holds a pointer and may be read before it is assigned; hint: initialize it: NULL for a pointer, = {} for a struct or array [safe-c-uninitialized-pointer]
	return *p;
}

struct text {
	const char *chars;
	size_t len;
};

char first(void)
{
	struct text t;
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+2]]:9: error: local variable 't' of type 'struct text' holds a pointer and may be read{{.*}} [safe-c-uninitialized-pointer]
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:18: error: local variable 't' of type 'struct text' holds a pointer and may be read{{.*}} [safe-c-uninitialized-pointer]
	return t.len ? *t.chars : 0;
}

int table_of_pointers(int i)
{
	int *slots[4];
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:10: error: local variable 'slots' of type 'int *[4]' holds a pointer and may be read{{.*}} [safe-c-uninitialized-pointer]
	return *slots[i & 3];
}

int one_path(int c, int *given)
{
	int *p;
	if (c)
		p = given;
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:10: error: local variable 'p' of type 'int *' holds a pointer and may be read before it is assigned{{.*}} [safe-c-uninitialized-pointer]
	return *p;
}

int in_loop(int n, int *given)
{
	int *p;
	for (int i = 0; i < n; i++) {
		// The first round reads it unassigned (twice).
		// CHECK-DAG: uninitialized-pointer.c:[[@LINE+3]]:12: error: local variable 'p' of type 'int *' holds a pointer and may be read before it is assigned{{.*}} [safe-c-uninitialized-pointer]
		// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:7: error: local variable 'p' of type 'int *' holds a pointer and may be read before it is assigned{{.*}} [safe-c-uninitialized-pointer]
		if (p)
			return *p;
		p = given;
	}
	return 0;
}

int own_initializer(void)
{
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:20: error: local variable 'p' of type 'int *volatile' is read in its own initializer{{.*}} [safe-c-uninitialized-pointer]
	int *volatile p = p;
	return *p;
}

int skipped_by_switch(int c, int *given)
{
	switch (c) {
		int *p = given;
	case 0:
		// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:11: error: local variable 'p' of type 'int *' is used where its declaration may have been jumped over (goto or switch); hint: declare it before the jump, with an initializer [safe-c-uninitialized-pointer]
		return *p;
	}
	return 0;
}

int skipped_by_goto(int *given)
{
	goto later;
	struct text t = {"x", 1};
later:
	(void)given;
	// CHECK-DAG: uninitialized-pointer.c:[[@LINE+1]]:9: error: local variable 't' of type 'struct text' is used where its declaration may have been jumped over{{.*}} [safe-c-uninitialized-pointer]
	return t.len;
}
