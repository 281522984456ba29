// A view of a stack buffer returned.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct str name(void)
{
	char text[8] = "local";
// CHECK-DAG: reject-80-return-view-of-stack.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}returns an address of its own stack frame{{.*}}; hint: {{.+}} [safe-c-local-address]
	return STR_FROM_CSTR_ARRAY(text);
}
