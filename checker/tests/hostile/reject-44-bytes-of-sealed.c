// BYTES_OF a sealed handle writes its fields.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct bytes open_view(struct str *s)
{
// CHECK-DAG: reject-44-bytes-of-sealed.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}is sealed{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return BYTES_OF(*s);
}
