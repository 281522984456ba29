// address_space(256) makes a GS-relative pointer.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
unsigned long peek(void)
{
// CHECK-DAG: reject-18-address-space.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'address_space'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-18-address-space.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type with an address space{{.*}}; hint: {{.+}} [safe-c-construct]
	__attribute__((address_space(256))) unsigned long *p = 0;
// CHECK-DAG: reject-18-address-space.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type with an address space{{.*}}; hint: {{.+}} [safe-c-construct]
	return *p;
}
