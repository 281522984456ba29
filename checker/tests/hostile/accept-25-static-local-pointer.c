// A static local pointer is zeroed by C.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
int *last(int *p)
{
	static int *previous;
	int *was = previous;
	previous = p;
	return was;
}
