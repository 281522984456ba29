// uninitialized opts a variable out of zero-initialization.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int *first(void);
int read(void)
{
// CHECK-DAG: reject-27-uninitialized-attribute.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'uninitialized'{{.*}}; hint: {{.+}} [safe-c-attribute]
	__attribute__((uninitialized)) int *p;
// CHECK-DAG: reject-27-uninitialized-attribute.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}may be read before it is assigned{{.*}}; hint: {{.+}} [safe-c-uninitialized-pointer]
	return *p;
}
