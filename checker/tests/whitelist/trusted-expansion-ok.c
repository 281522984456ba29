// Operations spelled in the trusted headers are allowed when they expand
// into crate code: inline functions, macros (with ## and # too), port I/O.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/port.h>
#include <hw/span.h>

int sum(void)
{
	int values[4] = {1, 2, 3, 4};
	struct int_span s = SPAN_OF(values);
	int total = 0;
	for (size_t i = 0; i < 4; i++)
		total += SPAN_AT(s, i);
	return total;
}

size_t rows(struct span_dims d)
{
	/* Field access built by ## inside a trusted macro. */
	return SPAN_FIELD(d, rows) + sizeof SPAN_NAME(rows);
}

unsigned long raw(unsigned long *word)
{
	/* The cast is spelled in the header. */
	return SPAN_RAW_WORD(word);
}

int out(struct port_range r)
{
	port_out8(0x80, port_in8(0x61));
	return port_range_out8(r, 1, 0xff);
}
