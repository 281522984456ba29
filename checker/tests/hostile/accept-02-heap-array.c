// A counted heap array: items by subscript and HEAP_ARRAY_AT.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/alloc.h>
HEAP_ARRAY_TYPE(words, unsigned long);
struct status fill(unsigned owner)
{
	struct words *w = NULL;
	struct status s = HEAP_NEW_ARRAY(struct words, 16, &w, owner);
	if (!status_ok(s))
		return s;
	for (size_t i = 0; i < w->count; i++)
		w->items[i] = i;
	unsigned long *third = HEAP_ARRAY_AT(w, 2);
	*third += w->items[1];
	return HEAP_FREE_ARRAY(w);
}
