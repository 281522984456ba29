// __builtin_frame_address hands out raw stack addresses.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void *where(void)
{
// CHECK-DAG: reject-35-frame-address.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__builtin_frame_address'{{.*}}; hint: {{.+}} [safe-c-builtin]
	return __builtin_frame_address(0);
}
