// Near misses: a tagged struct instead of a union; holding and passing a
// trusted header's union value without opening it.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/port.h>

struct number {
	enum { NUMBER_INT, NUMBER_UNSIGNED } kind;
	int i;
	unsigned int u;
};

int as_int(struct number n)
{
	return n.kind == NUMBER_INT ? n.i : (int)n.u;
}

void keep(union hw_word *slot)
{
	*slot = hw_word_read();
}

unsigned long size_only(void)
{
	return sizeof(union hw_word);
}
