// A test message's format must be a literal: the crate does not hand the nano-core a format.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/ktest.h>
void check(struct ktest_ctx *t, const char *format)
{
// CHECK-DAG: reject-50-ktest-format.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}needs a string literal{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	KT_FAIL(t, format);
}
