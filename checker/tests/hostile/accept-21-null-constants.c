// Null pointer constants in every spelling.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <stddef.h>
int nulls(void)
{
	int *a = 0, *b = NULL, *c = nullptr, *d = (int *)0;
	return a == b && c == d;
}
