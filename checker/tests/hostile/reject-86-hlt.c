// Halting the CPU.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/halting.h>
void sleep_forever(void)
{
// CHECK-DAG: reject-86-hlt.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a halting operation{{.*}}; hint: {{.+}} [safe-c-halting]
	cpu_wait_for_interrupt();
}
