// Disabling interrupts and looping forever.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/halting.h>
void hang(void)
{
// CHECK-DAG: reject-84-cli-loop.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a halting operation{{.*}}; hint: {{.+}} [safe-c-halting]
	cpu_irq_disable();
	for (;;)
		;
}
