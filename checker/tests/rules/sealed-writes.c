// Slices (theseus/slice.h) are SEALED_WRITES: crate code reads ptr and len
// but may not set them, so no view is longer than its memory.
// RUN: %not %safec -fplugin-arg-safec-crate=client -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>

static char small[4];

struct str forge_literal(void)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:21: error: initializer that sets fields of struct 'str', whose fields only the trusted kernel headers write; hint: build it with the owner's helpers (for slices: STR, STR_FROM_ARRAY, BYTES_OF, str_sub, bytes_carve) [safe-c-sealed-field]
	return (struct str){small, 1000000};
}

struct bytes forge_declaration(void)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:19: error: initializer that sets fields of struct 'bytes'{{.*}} [safe-c-sealed-field]
	struct bytes b = {.len = 4096};
	return b;
}

struct str stretch(struct str s)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:8: error: assignment to field 'len' of struct 'str'{{.*}} [safe-c-sealed-field]
	s.len = 1u << 30;
	// CHECK: sealed-writes.c:[[@LINE+1]]:8: error: assignment to field 'len' of struct 'str'{{.*}} [safe-c-sealed-field]
	s.len += 10;
	// CHECK: sealed-writes.c:[[@LINE+1]]:7: error: increment of field 'len' of struct 'str'{{.*}} [safe-c-sealed-field]
	s.len++;
	return s;
}

void shrink(struct bytes *b)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:2: error: decrement of field 'len' of struct 'bytes'{{.*}} [safe-c-sealed-field]
	--b->len;
}

void repoint(struct bytes *b, unsigned char *p)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:9: error: assignment to field 'ptr' of struct 'bytes'{{.*}} [safe-c-sealed-field]
	b->ptr = p;
}

size_t *length_handle(struct str *s)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:9: error: address taken of field 'len' of struct 'str'{{.*}} [safe-c-sealed-field]
	return &s->len;
}

struct holder {
	struct str name;
};

void nested(struct holder *h)
{
	// CHECK: sealed-writes.c:[[@LINE+1]]:14: error: assignment to field 'len' of struct 'str'{{.*}} [safe-c-sealed-field]
	h->name.len = 99;
}
