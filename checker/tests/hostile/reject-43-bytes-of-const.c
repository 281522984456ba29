// BYTES_OF *const_ptr gives a writable view of const data.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct config { int level; };
struct bytes unlock(const struct config *c)
{
// CHECK-DAG: reject-43-bytes-of-const.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}is const{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return BYTES_OF(*c);
}
