// Adding a crate image and applying a swap plan are live evolution's
// (the evolution crate): another crate could load code of its choosing.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/crates.h>
struct status smuggle(struct str image, struct crate_handle *out, struct crate_error *why)
{
// CHECK-DAG: reject-90-add-pushed.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}a restricted operation{{.*}}; hint: {{.+}} [safe-c-restricted]
	return kernel_crate_add_pushed(image, out, why);
}
