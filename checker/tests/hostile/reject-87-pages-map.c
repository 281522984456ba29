// Mapping pages at a chosen address is restricted to the memory crate.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/pages.h>
struct kernel_pages_result grab(void)
{
// CHECK-DAG: reject-87-pages-map.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a restricted operation{{.*}}; hint: {{.+}} [safe-c-restricted]
	return kernel_pages_map(KERNEL_MAPPING_REGION_BASE, 1, KERNEL_PAGES_READ_WRITE);
}
