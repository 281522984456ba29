// Near misses: error propagation through result types; names that only
// resemble setjmp.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/result.h>

struct jump_table {
	int targets[4];
	int setjmp_count;
};

static struct status step(int x)
{
	return x < 0 ? STATUS(E_INVAL) : STATUS_OK;
}

struct status run(struct jump_table *t)
{
	struct status s = step(t->setjmp_count);
	if (!status_ok(s))
		return s;
	return step(t->targets[0]);
}
