// #pragma clang attribute applies attributes to every later declaration.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-11-pragma-clang-attribute.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'clang'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma clang attribute push(__attribute__((no_sanitize("bounds"))), apply_to = function)
int table[8];
int peek(int i) { return table[i]; }
// CHECK-DAG: reject-11-pragma-clang-attribute.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'clang'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma clang attribute pop
