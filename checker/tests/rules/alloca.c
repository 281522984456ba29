// Stack allocation of run-time size.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
void *alloca(unsigned long size);
void consume(void *p);

void builtin(unsigned long n)
{
	// CHECK: alloca.c:[[@LINE+1]]:10: error: use of '__builtin_alloca', a stack allocation of run-time size; hint: use an array with a compile-time bound, or typed allocation [safe-c-alloca]
	consume(__builtin_alloca(n));
}

void aligned(unsigned long n)
{
	// CHECK: alloca.c:[[@LINE+1]]:10: error: use of '__builtin_alloca_with_align'{{.*}} [safe-c-alloca]
	consume(__builtin_alloca_with_align(n, 64));
}

void libc_name(unsigned long n)
{
	// CHECK: alloca.c:[[@LINE+1]]:10: error: use of 'alloca'{{.*}} [safe-c-alloca]
	consume(alloca(n));
}

void uninitialized(unsigned long n)
{
	// CHECK: alloca.c:[[@LINE+1]]:10: error: use of '__builtin_alloca_uninitialized'{{.*}} [safe-c-alloca]
	consume(__builtin_alloca_uninitialized(n));
}
