// #pragma GCC system_header is denied like any other pragma.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-21-system-header-pragma.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'GCC'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma GCC system_header
int nothing(void) { return 0; }
