// Pointer arithmetic in every form, and subscripts the bounds check cannot see.
// Without -fstrict-flex-arrays=3 (which the crate flags have) a trailing
// member array goes unchecked: the checker refuses its subscripts then.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fstrict-flex-arrays=0 -fsyntax-only %s 2>&1 | %check_rules
#include <stddef.h>

int plus(int *p)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:13: error: pointer arithmetic ('+') on 'int *'; hint: {{.*}} [safe-c-pointer-arithmetic]
	return *(p + 1);
}

int integer_plus_pointer(int *p)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:13: error: pointer arithmetic ('+') on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	return *(2 + p);
}

int *minus(int *p)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:11: error: pointer arithmetic ('-') on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	return p - 1;
}

ptrdiff_t difference(int *a, int *b)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:11: error: pointer difference between 'int *' and 'int *'{{.*}} [safe-c-pointer-arithmetic]
	return a - b;
}

void compound(char *p, const char *q)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:4: error: pointer arithmetic ('+=') on 'char *'{{.*}} [safe-c-pointer-arithmetic]
	p += 4;
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:4: error: pointer arithmetic ('-=') on 'const char *'{{.*}} [safe-c-pointer-arithmetic]
	q -= 4;
	(void)p;
	(void)q;
}

int increments(int *p, int *q)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:2: error: pointer arithmetic ('++') on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	++p;
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:3: error: pointer arithmetic ('--') on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	q--;
	return *p + *q;
}

int subscript_pointer(const int *p, size_t i)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:12: error: subscript of pointer 'const int *'{{.*}} [safe-c-pointer-arithmetic]
	return p[i] + i[p];
	// CHECK: pointer-arithmetic.c:[[@LINE-1]]:19: error: subscript of pointer 'const int *'{{.*}} [safe-c-pointer-arithmetic]
}

int array_parameter(int values[8], int i)
{
	// A parameter declared as an array is a pointer.
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:17: error: subscript of pointer 'int *'{{.*}} [safe-c-pointer-arithmetic]
	return values[i];
}

int decayed_array_plus(int i)
{
	int table[4] = {1, 2, 3, 4};
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:17: error: pointer arithmetic ('+') on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	return *(table + i);
}

struct message {
	size_t len;
	char body[];
};

char flexible_member(struct message *m, size_t i)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:18: error: subscript of array 'char[]' whose bound is not known{{.*}} [safe-c-pointer-arithmetic]
	return m->body[i];
}

struct packet {
	size_t len;
	unsigned char payload[16];
};

unsigned char trailing_member(struct packet *p, size_t i)
{
	// Trailing arrays count as flexible for -fsanitize=array-bounds unless
	// -fstrict-flex-arrays=3: the index would go unchecked.
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:21: error: subscript of trailing array member 'unsigned char[16]', which the bounds check treats as flexible; hint: compile with -fstrict-flex-arrays=3{{.*}} [safe-c-pointer-arithmetic]
	return p->payload[i];
}

unsigned char trailing_member_past_end(struct packet *p)
{
	// A constant index is fine only inside the declared bound.
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:22: error: subscript of trailing array member{{.*}} [safe-c-pointer-arithmetic]
	return p->payload[16];
}

extern int unsized[];
int incomplete_array(int i)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:18: error: subscript of array 'int[]' whose bound is not known{{.*}} [safe-c-pointer-arithmetic]
	return unsized[i];
}

void atomics(int **slot, _Atomic(int *) *shared)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:2: error: atomic pointer arithmetic on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	__atomic_fetch_add(slot, 4, __ATOMIC_RELAXED);
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:2: error: atomic pointer arithmetic on 'int *'{{.*}} [safe-c-pointer-arithmetic]
	__c11_atomic_fetch_sub(shared, 1, __ATOMIC_RELAXED);
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:11: error: pointer arithmetic ('++') on '_Atomic(int *)'{{.*}} [safe-c-pointer-arithmetic]
	(*shared)++;
}

int *align(int *p)
{
	// CHECK: pointer-arithmetic.c:[[@LINE+2]]:9: error: pointer arithmetic through '__builtin_align_up'{{.*}} [safe-c-pointer-arithmetic]
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:9: error: use of '__builtin_align_up', a builtin that is not on the allowlist{{.*}} [safe-c-builtin]
	return __builtin_align_up(p, 64);
}

void *void_pointer(void *v)
{
	// GNU arithmetic on void * is pointer arithmetic too.
	// CHECK: pointer-arithmetic.c:[[@LINE+1]]:11: error: pointer arithmetic ('+') on 'void *'{{.*}} [safe-c-pointer-arithmetic]
	return v + 1;
}
