// A block-scope compound literal's address returned.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct pair { int a, b; };
struct pair *make(void)
{
// CHECK-DAG: reject-82-return-compound-literal.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}returns an address of its own stack frame{{.*}}; hint: {{.+}} [safe-c-local-address]
	return &(struct pair){1, 2};
}
