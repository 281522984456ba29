// An expression inside typeof is visited.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
unsigned long width(long address)
{
// CHECK-DAG: reject-05-typeof-expression.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}converts between an integer and a pointer{{.*}}; hint: {{.+}} [safe-c-int-pointer-cast]
	__typeof__(*(char (*)[16])address) buffer = {};
	return sizeof buffer;
}
