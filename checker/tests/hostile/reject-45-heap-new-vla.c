// HEAP_NEW into a pointer to a VLA type: a 1-byte object indexed by n.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/alloc.h>
struct status grab(unsigned n)
{
	typedef char one[1];
// CHECK-DAG: reject-45-heap-new-vla.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}variable-length array type{{.*}}; hint: {{.+}} [safe-c-vla]
	char (*p)[n] = 0;
// CHECK-DAG: reject-45-heap-new-vla.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}changes the pointee type{{.*}}; hint: {{.+}} [safe-c-pointer-cast]
	return HEAP_NEW(one, &p, 1);
}
