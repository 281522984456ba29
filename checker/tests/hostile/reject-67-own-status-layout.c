// A crate defines struct status with another layout.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-67-own-status-layout.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}type 'struct status'{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
struct status { long err; long extra; };
