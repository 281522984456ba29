// T *volatile p = p reads p before it has a value.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int read(void)
{
// CHECK-DAG: reject-70-self-init.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}read in its own initializer{{.*}}; hint: {{.+}} [safe-c-uninitialized-pointer]
	int *volatile p = p;
	return *p;
}
