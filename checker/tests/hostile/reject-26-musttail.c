// clang::musttail changes how a call is made.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int next(int x);
int loop(int x)
{
// CHECK-DAG: reject-26-musttail.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'clang::musttail'{{.*}}; hint: {{.+}} [safe-c-attribute]
	[[clang::musttail]] return next(x);
}
