// Near misses: failing through a result type; a trusted bounds check that
// traps inside the trusted header; names that contain "halt".
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/span.h>
#include <theseus/result.h>

int halting_problem(int x);

struct status checked_get(struct int_span s, size_t i, int *out)
{
	if (i >= 100)
		return STATUS(E_RANGE);
	*out = SPAN_AT(s, i) + halting_problem(0);
	return STATUS_OK;
}
