// _Generic's controlling expression and unchosen branches are visited.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int pick(long address)
{
// CHECK-DAG: reject-02-generic-controlling.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}converts between an integer and a pointer{{.*}}; hint: {{.+}} [safe-c-int-pointer-cast]
	return _Generic((char *)address, char *: 1, default: 0);
}
