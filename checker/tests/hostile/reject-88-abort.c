// abort stops the machine for everyone.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
void abort(void);
void give_up(void)
{
// CHECK-DAG: reject-88-abort.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}which can halt the machine{{.*}}; hint: {{.+}} [safe-c-halt]
	abort();
}
