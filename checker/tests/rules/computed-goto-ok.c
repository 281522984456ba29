// Near misses: plain goto, switch, a table of function pointers.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }

int dispatch(unsigned op, int a, int b)
{
	static int (*const table[2])(int, int) = {add, sub};
	if (op > 1)
		goto bad;
	switch (op) {
	case 0:
		return table[0](a, b);
	default:
		return table[op](a, b);
	}
bad:
	return 0;
}
