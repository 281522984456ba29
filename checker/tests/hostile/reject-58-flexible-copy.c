// Copying a counted array struct leaves its items behind.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/alloc.h>
HEAP_ARRAY_TYPE(words, unsigned long);
unsigned long first(struct words *w)
{
// CHECK-DAG: reject-58-flexible-copy.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}has a flexible array member{{.*}}; hint: {{.+}} [safe-c-flexible-array]
// CHECK-DAG: reject-58-flexible-copy.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}the copy leaves its items behind{{.*}}; hint: {{.+}} [safe-c-flexible-array]
	struct words copy = *w;
	return copy.items[0];
}
