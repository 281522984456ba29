// A 90 KB local array reaches past the guard page below the stack.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-74-huge-frame.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}keeps at least 92160 bytes on the stack{{.*}}; hint: {{.+}} [safe-c-stack-frame]
int sum(int i)
{
	char buffer[90 * 1024] = {};
	return buffer[i & 1];
}
