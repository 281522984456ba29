// Fields of a sealed struct touched by a crate that does not own it.  The
// struct is defined in Inputs/crates/server/include/server.h: crate "server".
// RUN: %not %safec -fplugin-arg-safec-crate=client -fsyntax-only %s 2>&1 | %check_rules
#include <hw/span.h>
#include <server.h>

unsigned long peek(struct counter *c)
{
	// CHECK: sealed-field.c:[[@LINE+1]]:12: error: access to field 'hits' of sealed struct 'counter', owned by crate 'server'; hint: call the owning crate's functions to read or change this state [safe-c-sealed-field]
	return c->hits;
}

void poke(struct counter *c)
{
	// CHECK: sealed-field.c:[[@LINE+1]]:5: error: access to field 'hits' of sealed struct 'counter'{{.*}} [safe-c-sealed-field]
	c->hits = 1000;
}

struct counter forge(void)
{
	// CHECK: sealed-field.c:[[@LINE+1]]:24: error: initializer that sets fields of sealed struct 'counter'{{.*}} [safe-c-sealed-field]
	struct counter made = {.hits = 7};
	return made;
}

unsigned long nested_anonymous(const struct counter *c)
{
	// A field of an anonymous struct inside the sealed one is sealed too.
	// CHECK: sealed-field.c:[[@LINE+1]]:12: error: access to field 'when' of sealed struct 'counter'{{.*}} [safe-c-sealed-field]
	return c->when;
}

unsigned long kernel_owned(struct int_span s)
{
	// int_span is sealed in a trusted header: it belongs to no crate.
	// CHECK: sealed-field.c:[[@LINE+1]]:11: error: access to field 'len' of sealed struct 'int_span', owned by the trusted kernel headers{{.*}} [safe-c-sealed-field]
	return s.len;
}

struct int_span forge_span(int *p)
{
	// CHECK: sealed-field.c:[[@LINE+1]]:26: error: initializer that sets fields of sealed struct 'int_span'{{.*}} [safe-c-sealed-field]
	return (struct int_span){p, 1000000};
}
