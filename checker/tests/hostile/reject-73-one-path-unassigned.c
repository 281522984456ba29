// A pointer assigned on one path only.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int maybe(int c, int *given)
{
	int *p;
	if (c)
		p = given;
// CHECK-DAG: reject-73-one-path-unassigned.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}may be read before it is assigned{{.*}}; hint: {{.+}} [safe-c-uninitialized-pointer]
	return *p;
}
