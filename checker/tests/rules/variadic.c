// Variadic definitions and walking variadic arguments.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stdarg.h>

// CHECK: variadic.c:[[@LINE+1]]:5: error: definition of variadic function 'sum'; hint: take a fixed parameter list, or an array or slice of values [safe-c-variadic]
int sum(int count, ...)
{
	va_list ap;
	// CHECK: variadic.c:[[@LINE+1]]:2: error: use of '__builtin_va_start', which walks variadic arguments{{.*}} [safe-c-variadic]
	va_start(ap, count);
	int total = 0;
	for (int i = 0; i < count; i++)
		// CHECK: variadic.c:[[@LINE+1]]:12: error: use of va_arg{{.*}} [safe-c-variadic]
		total += va_arg(ap, int);
	// CHECK: variadic.c:[[@LINE+1]]:2: error: use of '__builtin_va_end'{{.*}} [safe-c-variadic]
	va_end(ap);
	return total;
}

// A function that takes a va_list walks it too.
int vsum(int count, va_list ap)
{
	va_list copy;
	// CHECK: variadic.c:[[@LINE+1]]:2: error: use of '__builtin_va_copy'{{.*}} [safe-c-variadic]
	va_copy(copy, ap);
	// CHECK: variadic.c:[[@LINE+1]]:9: error: use of va_arg{{.*}} [safe-c-variadic]
	return __builtin_va_arg(copy, int) + count;
}

// CHECK: variadic.c:[[@LINE+1]]:6: error: definition of variadic function 'ignore_rest'{{.*}} [safe-c-variadic]
void ignore_rest(const char *format, ...)
{
	(void)format;
}
