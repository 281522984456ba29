// A VLA bound inside sizeof(type) is evaluated: the cast in it is crate code.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
unsigned long probe(long address)
{
// CHECK-DAG: reject-01-sizeof-vla-bound.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}variable-length array type{{.*}}; hint: {{.+}} [safe-c-vla]
// CHECK-DAG: reject-01-sizeof-vla-bound.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}converts between an integer and a pointer{{.*}}; hint: {{.+}} [safe-c-int-pointer-cast]
	return sizeof(char[*(int *)address = 1]);
}
