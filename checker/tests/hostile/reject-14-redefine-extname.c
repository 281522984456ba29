// #pragma redefine_extname renames a symbol behind the checker.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-14-redefine-extname.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'redefine_extname'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma redefine_extname hello_world kernel_power_off
void hello_world(void);
void greet(void) { hello_world(); }
