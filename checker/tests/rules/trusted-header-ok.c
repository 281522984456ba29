// Near misses: crate macros with their own names, including a trusted header
// twice, testing a trusted macro from crate code, clang's own headers used by
// trusted headers (NULL, size_t, offsetof).
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/span.h>
#include <hw/span.h>
#include <hw/debug.h>
#include <stddef.h>

#define CRATE_TABLE_SIZE 8
#ifdef SPAN_AT
#define HAVE_SPANS 1
#endif

int use(size_t i)
{
	int table[CRATE_TABLE_SIZE] = {0};
	struct int_span s = SPAN_OF(table);
	HW_ASSERT(i < CRATE_TABLE_SIZE);
	return HAVE_SPANS + SPAN_AT(s, i) + (int)offsetof(struct int_span, len);
}

void span_at(void)
{
	/* A crate function may share a word with a trusted one. */
}

