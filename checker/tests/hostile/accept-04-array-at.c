// ARRAY_AT: a pointer to an element, checked against the real bound.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/slice.h>
struct rec { int key; int value; };
static struct rec recs[8];
struct rec *find(int key)
{
	for (size_t i = 0; i < 8; i++) {
		struct rec *r = ARRAY_AT(recs, i);
		if (r->key == key)
			return r;
	}
	return NULL;
}
void swap_first(size_t i)
{
	struct rec tmp = *ARRAY_AT(recs, i);
	*ARRAY_AT(recs, i) = recs[0];
	recs[0] = tmp;
}
