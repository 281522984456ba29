// A local's address returned through another local.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int *alias(void)
{
	int x = 1;
	int *q = &x;
// CHECK-DAG: reject-81-return-through-alias.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}returns an address of its own stack frame{{.*}}; hint: {{.+}} [safe-c-local-address]
	return q;
}
