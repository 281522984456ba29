// sizeof and typeof of plain types and expressions.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
unsigned long sizes(int x)
{
	__typeof__(x) copy = x;
	int fixed[4] = {};
	return sizeof(int[4]) + sizeof fixed + sizeof(copy) + _Alignof(long);
}
