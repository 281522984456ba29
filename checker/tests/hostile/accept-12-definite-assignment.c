// Pointers assigned on every path before they are read.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
int *first(void);
int *second(void);
int pick(int c)
{
	int *p;
	if (c)
		p = first();
	else
		p = second();
	int *q;
	for (;;) {
		q = first();
		if (q)
			break;
	}
	return *p + *q;
}
