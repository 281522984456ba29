// Registering a nano-core service (the interrupt dispatcher, the stack
// quiescence check, the fault policy) is restricted to the crate named for
// it: any other crate could take every interrupt, or answer "quiescent".
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/services.h>
struct status take_over(void)
{
// CHECK-DAG: reject-89-service-takeover.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a restricted operation{{.*}}; hint: {{.+}} [safe-c-restricted]
	return kernel_service_register(KERNEL_SERVICE_IRQ_DISPATCH, STR("evil_dispatch"));
}
