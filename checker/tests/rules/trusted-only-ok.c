// Near misses for trusted-only: the macros built on str_from_cstr.
// RUN: %safec -fplugin-arg-safec-crate=client -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/result.h>
#include <theseus/slice.h>

struct named {
	char name[32];
};

size_t lengths(const struct named *n, enum kerr e)
{
	struct str a = STR_FROM_CSTR_ARRAY(n->name);
	struct str b = KERR_STR(e);
	return a.len + b.len;
}
