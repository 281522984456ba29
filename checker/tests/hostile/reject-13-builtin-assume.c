// __builtin_assume(0) marks the code unreachable: the optimizer deletes the bounds check.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int table[8];
int peek(int i)
{
// CHECK-DAG: reject-13-builtin-assume.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}use of '__builtin_assume'{{.*}}; hint: {{.+}} [safe-c-builtin]
	__builtin_assume(i < 8);
	return table[i];
}
