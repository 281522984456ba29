// A pointer filled through its address (null if the callee does not).
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
void fill(int **out);
int get(void)
{
	int *p;
	fill(&p);
	return p ? *p : 0;
}
