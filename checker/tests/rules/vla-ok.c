// Near misses: compile-time bounds (literals, enum and constexpr constants).
// (sizeof of a run-time array type and pointers to variably modified types
// are errors: their bounds are code; see vla.c.)
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
enum { ROWS = 4 };
#define COLUMNS 8

unsigned long fixed(unsigned i)
{
	constexpr int depth = 2;
	int grid[ROWS][COLUMNS] = {0};
	char stack[depth];
	stack[0] = 1;
	return (unsigned long)grid[i & 3][i & 7] + sizeof stack + (unsigned long)stack[0];
}

