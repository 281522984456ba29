// A test record whose name is not a literal.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/ktest.h>
static const char not_text[4] = {'a', 'b', 'c', 'd'};
// CHECK-DAG: reject-69-ktest-record-name.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}needs a string literal{{.*}}; hint: {{.+}} [safe-c-macro-operand]
KTEST(nameless, not_text)
{
}
