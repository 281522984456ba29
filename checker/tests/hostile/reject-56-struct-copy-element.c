// Copying a struct element is checked only against one past the end.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct rec { long a, b; };
static struct rec recs[4];
struct rec get(int i)
{
// CHECK-DAG: reject-56-struct-copy-element.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}checked here only against one past the end{{.*}}; hint: {{.+}} [safe-c-bounds]
	return recs[i];
}
