// Adding const and erasing to const void * are fine.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
void consume(const void *p);
int look(int *p)
{
	const int *q = p;
	consume(p);
	consume(q);
	return *q;
}
