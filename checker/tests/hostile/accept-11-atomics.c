// Atomic operations on integers.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
static unsigned long counter;
unsigned long bump(void)
{
	__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return __atomic_load_n(&counter, __ATOMIC_ACQUIRE);
}
