// Returning a local's address.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int *leak(void)
{
	int x = 1;
// CHECK-DAG: reject-76-return-local-address.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}returns an address of its own stack frame{{.*}}; hint: {{.+}} [safe-c-local-address]
	return &x;
}
