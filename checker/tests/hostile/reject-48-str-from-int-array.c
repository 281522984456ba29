// STR_FROM_ARRAY of an int array converts int * to const char * at the crate operand.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/slice.h>
static int numbers[4];
struct str text(void)
{
// CHECK-DAG: reject-48-str-from-int-array.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}changes the pointee type{{.*}}; hint: {{.+}} [safe-c-pointer-cast]
	return STR_FROM_ARRAY(numbers, 4);
}
