// Storing a local's address in a global.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
static int *kept;
void keep(void)
{
	int x = 1;
// CHECK-DAG: reject-78-store-global.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}stored where it outlives the function{{.*}}; hint: {{.+}} [safe-c-local-address]
	kept = &x;
}
