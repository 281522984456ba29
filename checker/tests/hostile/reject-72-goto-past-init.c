// A goto jumps past an initializer.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int jump(int *given)
{
	goto use;
	int *p = given;
use:
// CHECK-DAG: reject-72-goto-past-init.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}may have been jumped{{.*}}; hint: {{.+}} [safe-c-uninitialized-pointer]
	return *p;
}
