// Returning a local array (it decays to its address).
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
char *buffer(void)
{
	char b[16] = {};
// CHECK-DAG: reject-77-return-local-array.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}returns an address of its own stack frame{{.*}}; hint: {{.+}} [safe-c-local-address]
	return b;
}
