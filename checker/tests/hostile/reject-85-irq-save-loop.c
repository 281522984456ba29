// Disabling interrupts with a restore that never comes.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/cpu.h>
void hang(void)
{
// CHECK-DAG: reject-85-irq-save-loop.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a halting operation{{.*}}; hint: {{.+}} [safe-c-halting]
	bool on = cpu_irq_save();
	while (on || !on)
		;
	cpu_irq_restore(on);
}
