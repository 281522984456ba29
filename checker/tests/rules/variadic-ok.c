// Near misses: declaring and calling a variadic function someone else
// defines; fixed parameter lists; arrays of values.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <stddef.h>

int kernel_log(const char *format, ...);

int sum(const int *values, size_t n);

int report(int a, int b)
{
	static const int values[2] = {1, 2};
	return kernel_log("%d %d", a, b) + sum(values, 2);
}
