// a[i]++ is checked only against one past the end.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
static int counts[4];
void count(int i)
{
// CHECK-DAG: reject-54-increment-element.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}checked here only against one past the end{{.*}}; hint: {{.+}} [safe-c-bounds]
	counts[i]++;
}
