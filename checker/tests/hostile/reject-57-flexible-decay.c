// A flexible array member used as a pointer reaches items the count may not cover.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/alloc.h>
HEAP_ARRAY_TYPE(words, unsigned long);
void clear(struct words *w)
{
// CHECK-DAG: reject-57-flexible-decay.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}used as a pointer{{.*}}; hint: {{.+}} [safe-c-flexible-array]
	*w->items = 0;
}
