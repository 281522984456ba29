// Near misses: function pointers of the exact type, decay, comparisons.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
int twice(int x);
int twice(int x) { return 2 * x; }

typedef int (*unary_t)(int);

int apply(unary_t op, int x) { return op(x); }

int use_function_pointers(int x)
{
	unary_t a = twice;
	unary_t b = &twice;
	unary_t table[2] = {twice, a};
	if (a == b && table[1] == a)
		return apply(table[0], x) + (*b)(x);
	return (unary_t)twice == a ? 1 : 0;
}
