// A weak export named like a nano-core function.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/console.h>
// CHECK-DAG: reject-65-weak-override.c:[[@LINE+3]]:{{[0-9]+}}: error: {{.*}}'weak'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-65-weak-override.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'visibility'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-65-weak-override.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}which the trusted header theseus/console.h declares{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
__attribute__((weak, visibility("default"))) void kernel_console_write(struct str text) { (void)text; }
