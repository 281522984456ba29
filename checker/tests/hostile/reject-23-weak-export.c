// A weak definition could override a provider of the same name.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-23-weak-export.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'weak'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-23-weak-export.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'visibility'{{.*}}; hint: {{.+}} [safe-c-attribute]
__attribute__((weak, visibility("default"))) void crate_service(void) {}
