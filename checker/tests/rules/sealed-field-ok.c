// Near misses: a client holding, copying and passing sealed values and
// pointers, reading through the owner's inline accessor, taking sizes.
// RUN: %safec -fplugin-arg-safec-crate=client -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
// The owning crate may touch its fields directly.
// RUN: %safec -fplugin-arg-safec-crate=server -DOWNER -c %s -o %t.owner.o 2>&1 | %count 0
#include <hw/span.h>
#include <server.h>
#include <stddef.h>

static struct counter saved;

unsigned long client(void)
{
	struct counter *c = server_counter();
	server_hit(c);
	saved = *c;
	struct counter empty = {};
	saved = empty;
	return counter_hits(c) + sizeof *c + offsetof(struct counter, when);
}

int span_user(void)
{
	int values[8] = {0};
	struct int_span s = SPAN_OF(values);
	return SPAN_AT(s, 3);
}

#ifdef OWNER
void server_hit(struct counter *c)
{
	c->hits++;
	c->when = 1;
}

struct counter server_fresh(void)
{
	return (struct counter){.hits = 0, .when = 0};
}
#endif
