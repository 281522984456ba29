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

void fill_span(struct int_span *s);

int filled_through_address(void)
{
	/* Its address is handed out, so it may be written there; if not, it
	 * holds zeros (locals are zero-initialized): a span of length 0,
	 * which SPAN_AT refuses. Never stack garbage. */
	struct int_span s;
	fill_span(&s);
	return SPAN_AT(s, 0);
}

int assigned_on_every_path(int c, int *a, int *b)
{
	int *p;
	if (c)
		p = a;
	else
		p = b;
	int *slots[2];
	slots[0] = p;
	slots[1] = a;
	return *p + *slots[1];
}
