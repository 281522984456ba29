// Several arrays that together exceed the frame limit.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-75-many-arrays.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}the limit is 3072 bytes{{.*}}; hint: {{.+}} [safe-c-stack-frame]
int sum(int i)
{
	char a[1024] = {}, b[1024] = {}, c[1024] = {}, d[512] = {};
	return a[i & 1] + b[i & 1] + c[i & 1] + d[i & 1];
}
