// Near misses: null pointer constants, truth tests, integer-only casts.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <stdbool.h>
#include <stddef.h>

int *null_pointers(int which)
{
	int *a = 0;
	int *b = NULL;
	int *c = (int *)0;
	int *d = (int *)NULL;
	int *e = nullptr;
	int *f = (int *)(1 - 1);
	return which ? a : which > 1 ? b : which > 2 ? c : which > 3 ? d : which > 4 ? e : f;
}

bool truth(const int *p, void (*fn)(void))
{
	if (!p)
		return false;
	return (bool)fn && p != NULL && fn != nullptr;
}

long widen(int x, unsigned char c)
{
	return (long)x + (unsigned long)c + (int)3.5;
}

unsigned int float_bits(float f)
{
	return __builtin_bit_cast(unsigned int, f);
}
