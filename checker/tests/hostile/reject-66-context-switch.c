// Switching stacks is a restricted operation of the task crate.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/context.h>
void jump(struct kernel_context *save, const struct kernel_context *load)
{
// CHECK-DAG: reject-66-context-switch.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a restricted operation{{.*}}; hint: {{.+}} [safe-c-restricted]
	kernel_context_switch(save, load);
}
