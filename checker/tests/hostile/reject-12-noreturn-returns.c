// [[noreturn]] on a function that returns lets the compiler delete what follows a call.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-12-noreturn-returns.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}attribute 'noreturn'{{.*}}; hint: {{.+}} [safe-c-attribute]
[[noreturn]] void finish(int code);
int after(int code)
{
	finish(code);
	return 1;
}
