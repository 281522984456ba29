// An attribute argument is code too: cleanup calls a function.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct handle { int fd; };
void forget(struct handle *h);
int guarded(void)
{
// CHECK-DAG: reject-06-attribute-argument.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'cleanup'{{.*}}; hint: {{.+}} [safe-c-attribute]
	__attribute__((cleanup(forget))) struct handle h = {1};
	return h.fd;
}
