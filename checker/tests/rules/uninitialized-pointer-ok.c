// Near misses: initialized pointers and handles, static locals (zeroed),
// uninitialized locals without pointers.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/span.h>

struct line {
	char text[80];
	size_t len;
};

void fill(struct line *l);

int initialized(int *given)
{
	int *p = NULL;
	int *q = given;
	static int *remembered;
	int values[4] = {1, 2, 3, 4};
	struct int_span s = SPAN_OF(values);
	struct int_span none = {};
	if (!p)
		p = q;
	remembered = p;
	return *p + SPAN_AT(s, 1) + (remembered != NULL) + (int)sizeof none;
}

size_t plain_data(void)
{
	struct line l;
	int counter;
	fill(&l);
	counter = 3;
	return l.len + (size_t)counter;
}
