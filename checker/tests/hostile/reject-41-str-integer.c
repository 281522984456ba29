// STR of an integer (0 converts to a pointer) is not a literal either.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct str view(void)
{
// CHECK-DAG: reject-41-str-integer.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}needs a string literal{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return STR(0);
}
