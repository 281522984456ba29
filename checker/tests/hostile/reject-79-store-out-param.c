// Storing a local's address through an out parameter.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void hand_out(int **out)
{
	int x = 1;
// CHECK-DAG: reject-79-store-out-param.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}stored where it outlives the function{{.*}}; hint: {{.+}} [safe-c-local-address]
	*out = &x;
}
