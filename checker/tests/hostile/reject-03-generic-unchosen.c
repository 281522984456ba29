// An unchosen _Generic association is visited too.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int pick(int x)
{
// CHECK-DAG: reject-03-generic-unchosen.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}converts between an integer and a pointer{{.*}}; hint: {{.+}} [safe-c-int-pointer-cast]
	return _Generic(x, long: *(int *)0x1000, default: 2);
}
