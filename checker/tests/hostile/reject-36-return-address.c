// __builtin_return_address reads the stack.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void *caller(void)
{
// CHECK-DAG: reject-36-return-address.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_return_address'{{.*}}; hint: {{.+}} [safe-c-builtin]
	return __builtin_return_address(0);
}
