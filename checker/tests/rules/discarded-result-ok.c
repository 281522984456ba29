// Near misses: results that are checked, returned, stored or passed on;
// dropping the value of a function without a result type.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/result.h>

struct status start(void);
int plain(void);
void consume(struct status s);

struct status propagate(void)
{
	struct status s = start();
	if (!status_ok(s))
		return s;
	if (!status_ok(start()))
		return STATUS(E_BUSY);
	consume(start());
	(void)plain();
	plain();
	return start();
}

int in_statement_expression(void)
{
	return ({ struct status s = start(); s.err; }) + status_ok(({ start(); }));
}
