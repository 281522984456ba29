// The __sync builtins (on pointers: arithmetic) are not on the list.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
long bump(long *counter)
{
// CHECK-DAG: reject-34-sync-builtin.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'__sync_fetch_and_add{{.*}}; hint: {{.+}} [safe-c-builtin]
	return __sync_fetch_and_add(counter, 4);
}
