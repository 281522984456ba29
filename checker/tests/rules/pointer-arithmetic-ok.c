// Near misses: true arrays with known bounds, member access, comparisons.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
// With -fstrict-flex-arrays=3 a trailing member array is checked too.
// RUN: %safec -fplugin-arg-safec-crate=t -fstrict-flex-arrays=3 -DSTRICT -c %s -o %t.strict.o 2>&1 | %count 0
#include <stddef.h>
#include <theseus/alloc.h>

struct line {
	char text[80];
	size_t len;
};

int local_array(size_t i)
{
	int table[4] = {1, 2, 3, 4};
	table[i & 3] = 7;
	return table[i];
}

int two_dimensions(size_t i, size_t j)
{
	static const int grid[3][3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
	return grid[i][j];
}

char member_array(const struct line *l, size_t i)
{
	return l->text[i];
}

int *address_of_element(int (*rows)[4], size_t i)
{
	/* &(*rows)[i] is checked only against one past the end: ARRAY_AT. */
	return ARRAY_AT(*rows, i);
}

int pointer_compare(const int *a, const int *b)
{
	return a == b || a < b || *a > *b;
}

HEAP_ARRAY_TYPE(counted, int);

int counted_flexible(struct counted *c, size_t i)
{
	/* counted_by (from the trusted macro) gives the bounds check its limit. */
	return c->items[i];
}

struct tail_message {
	size_t len;
	char text[32];
};

char first_and_last(const struct tail_message *m)
{
	/* Constant indices inside the declared bound need no run-time check,
	 * even for a trailing member. */
	return m->text[0] + m->text[31];
}

#ifdef STRICT
struct tail {
	size_t len;
	unsigned char bytes[16];
};

unsigned char strict_trailing(struct tail *t, size_t i)
{
	return t->bytes[i];
}
#endif

size_t sizes(int *p)
{
	return sizeof p + sizeof *p;
}
