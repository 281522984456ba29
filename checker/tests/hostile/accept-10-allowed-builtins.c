// Builtins on the allowlist: bit operations, overflow checks, offsetof.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <stddef.h>
struct pair { int a; long b; };
int bits(unsigned long long x, int a, int b)
{
	int sum = 0;
	if (__builtin_add_overflow(a, b, &sum))
		return -1;
	if (__builtin_expect(x == 0, 0))
		return 0;
	return __builtin_ctzll(x) + __builtin_popcountll(x) + sum + (int)offsetof(struct pair, b) +
	       __builtin_constant_p(x) + (int)__builtin_bswap32((unsigned)a);
}
