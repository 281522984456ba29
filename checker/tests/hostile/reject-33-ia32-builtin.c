// Target builtins read and write registers.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
unsigned long long cycles(void)
{
// CHECK-DAG: reject-33-ia32-builtin.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_ia32_rdtsc'{{.*}}; hint: {{.+}} [safe-c-builtin]
	return __builtin_ia32_rdtsc();
}
