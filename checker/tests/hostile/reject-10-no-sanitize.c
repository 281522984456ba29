// no_sanitize would remove the bounds trap.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int table[8];
// CHECK-DAG: reject-10-no-sanitize.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'no_sanitize'{{.*}}; hint: {{.+}} [safe-c-attribute]
__attribute__((no_sanitize("array-bounds"))) int peek(int i)
{
	return table[i];
}
