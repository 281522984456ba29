// (a[i]) = v is checked only against one past the end.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
static int table[4];
void store(int i, int v)
{
// CHECK-DAG: reject-55-parenthesized-store.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}checked here only against one past the end{{.*}}; hint: {{.+}} [safe-c-bounds]
	(table[i]) = v;
}
