// BYTES_OF a pointer variable lets the crate write the pointer bytes.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct bytes forge(int **p)
{
// CHECK-DAG: reject-42-bytes-of-pointer.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}is a pointer{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return BYTES_OF(*p);
}
