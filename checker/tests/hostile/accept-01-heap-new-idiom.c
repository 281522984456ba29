// The typed-allocation idiom of theseus/alloc.h's own comment.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/alloc.h>
struct node { struct node *next; int value; };
struct status make(unsigned owner, struct node **out)
{
	struct node *n;
	struct status s = HEAP_NEW(struct node, &n, owner);
	if (!status_ok(s))
		return s;
	n->value = 1;
	*out = n;
	return s;
}
