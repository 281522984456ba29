// A HEAP_ARRAY_TYPE object made by the crate has a count and no items.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/alloc.h>
HEAP_ARRAY_TYPE(words, unsigned long);
// CHECK-DAG: reject-52-static-heap-array.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}has a flexible array member{{.*}}; hint: {{.+}} [safe-c-flexible-array]
static struct words fake = {.count = 1000};
unsigned long peek(int i) { return fake.items[i]; }
