// kernel_power_off by a crate not named for it.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/halting.h>
void quit(void)
{
// CHECK-DAG: reject-83-power-off.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a halting operation{{.*}}; hint: {{.+}} [safe-c-halting]
	kernel_power_off();
}
