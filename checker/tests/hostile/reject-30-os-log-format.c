// __builtin_os_log_format writes through a raw buffer.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int log_it(char *buf, int v)
{
// CHECK-DAG: reject-30-os-log-format.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'__builtin_os_log_format'{{.*}}; hint: {{.+}} [safe-c-builtin]
// CHECK-DAG: reject-30-os-log-format.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'ExprWithCleanups'{{.*}}; hint: {{.+}} [safe-c-construct]
	__builtin_os_log_format(buf, "%d", v);
	return 0;
}
