// The unchosen branch of __builtin_choose_expr is visited.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
int quiet(void)
{
// CHECK-DAG: reject-04-choose-expr.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}inline assembly{{.*}}; hint: {{.+}} [safe-c-inline-asm]
	return __builtin_choose_expr(0, ({ __asm__ volatile("cli"); 0; }), 1);
}
