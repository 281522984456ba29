// target(...) enables instruction-set builtins.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-19-target-builtin.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'target'{{.*}}; hint: {{.+}} [safe-c-attribute]
__attribute__((target("rdrnd"))) unsigned random_word(void)
{
	unsigned v = 0;
// CHECK-DAG: reject-19-target-builtin.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_ia32_rdrand32_step'{{.*}}; hint: {{.+}} [safe-c-builtin]
	__builtin_ia32_rdrand32_step(&v);
	return v;
}
