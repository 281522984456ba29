// The generic __atomic_load copies through pointers of any type.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
long load_into(long *from, int **to)
{
// CHECK-DAG: reject-38-generic-atomic.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}atomic builtin{{.*}}; hint: {{.+}} [safe-c-builtin]
	__atomic_load(from, (long *)0, __ATOMIC_SEQ_CST);
	(void)to;
	return 0;
}
