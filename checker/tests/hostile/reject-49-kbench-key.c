// kbench_note reads its key as NUL-terminated text: only a literal.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/kbench.h>
void note(struct kbench_ctx *b, const char *key)
{
// CHECK-DAG: reject-49-kbench-key.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}needs a string literal{{.*}}; hint: {{.+}} [safe-c-macro-operand]
	kbench_note(b, key, 1);
}
