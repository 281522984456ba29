// A switch jumps past an initializer.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int pick(int c, int *given)
{
	switch (c) {
		int *p = given;
	case 1:
// CHECK-DAG: reject-71-switch-past-init.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}may have been jumped{{.*}}; hint: {{.+}} [safe-c-uninitialized-pointer]
		return *p;
	}
	return 0;
}
