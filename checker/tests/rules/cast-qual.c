// Casts that discard const or volatile.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
int *explicit_const(const int *p)
{
	// CHECK: cast-qual.c:[[@LINE+1]]:9: error: cast from 'const int *' to 'int *' discards 'const'; hint: {{.*}} [safe-c-cast-qual]
	return (int *)p;
}

int *implicit_const(const int *p)
{
	// CHECK: cast-qual.c:[[@LINE+1]]:11: error: cast from 'const int *' to 'int *' discards 'const'{{.*}} [safe-c-cast-qual]
	int *q = p;
	return q;
}

unsigned *drop_volatile(volatile unsigned *reg)
{
	// CHECK: cast-qual.c:[[@LINE+1]]:9: error: {{.*}}discards 'volatile'{{.*}} [safe-c-cast-qual]
	return (unsigned *)reg;
}

void *drop_both(const volatile void *p)
{
	// CHECK: cast-qual.c:[[@LINE+1]]:9: error: {{.*}}discards 'const and volatile'{{.*}} [safe-c-cast-qual]
	return (void *)p;
}

int **inner_const(int *const *pp)
{
	// CHECK: cast-qual.c:[[@LINE+1]]:9: error: cast from 'int *const *' to 'int **' discards 'const'{{.*}} [safe-c-cast-qual]
	return (int **)pp;
}
