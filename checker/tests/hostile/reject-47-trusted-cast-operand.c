// A cast in a trusted macro's body applied to a crate operand is the crate's cast.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <hw/span.h>
unsigned long word(char *c)
{
// CHECK-DAG: reject-47-trusted-cast-operand.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}changes the pointee type{{.*}}; hint: {{.+}} [safe-c-pointer-cast]
	return SPAN_RAW_WORD(c);
}
