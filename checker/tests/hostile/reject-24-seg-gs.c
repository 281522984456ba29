// __seg_gs is an address space spelled by a predefined macro.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
unsigned long per_cpu(void)
{
// CHECK-DAG: reject-24-seg-gs.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'address_space'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-24-seg-gs.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type with an address space{{.*}}; hint: {{.+}} [safe-c-construct]
	__seg_gs unsigned long *slot = 0;
// CHECK-DAG: reject-24-seg-gs.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type with an address space{{.*}}; hint: {{.+}} [safe-c-construct]
	return *slot;
}
