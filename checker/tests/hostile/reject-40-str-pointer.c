// STR of a pointer would view sizeof(pointer) - 1 bytes of anything.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
struct str view(const char *p)
{
// CHECK-DAG: reject-40-str-pointer.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}needs a string literal{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	return STR(p);
}
