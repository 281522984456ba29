// BYTES_OF a struct of integers and arrays of them.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/result.h>
#include <theseus/slice.h>
struct sample { unsigned long when; int values[4]; char tag[8]; };
struct status receive(struct bytes into, unsigned long *len);
struct status get(struct sample *s, unsigned long *len)
{
	return receive(BYTES_OF(*s), len);
}
struct str as_text(struct sample *s) { return STR_OF_BYTES(BYTES_OF(*s)); }
