// Near misses for SEALED_WRITES: reading a slice's fields, copying and
// passing whole views, empty initializers, views from the trusted helpers.
// RUN: %safec -fplugin-arg-safec-crate=client -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/slice.h>

static char text[16] = "hello";
static unsigned char buffer[8];

struct holder {
	struct str name;
	struct bytes data;
};

size_t total(struct str a, struct bytes b)
{
	return a.len + b.len + (a.ptr != 0) + (b.ptr != 0);
}

size_t use(void)
{
	struct str s = STR_FROM_ARRAY(text, 5);
	struct str part = str_sub(s, 1, 3);
	struct bytes b = BYTES_OF(buffer);
	struct bytes none = {};
	struct holder h = {};
	h.name = part;
	h.data = b;
	none = b;
	bytes_set(none, 0, (unsigned char)str_at(h.name, 0));
	return total(STR("abc"), h.data) + sizeof s.len;
}
