// &a[i] is checked only against one past the end: a write through it goes beyond.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
static int table[4];
void poke(int i)
{
// CHECK-DAG: reject-53-one-past-end.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}checked here only against one past the end{{.*}}; hint: {{.+}} [safe-c-bounds]
	int *p = &table[i];
	*p = 1;
}
