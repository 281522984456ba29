// The interrupt attribute changes the calling convention.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct frame { unsigned long ip, cs, flags, sp, ss; };
// CHECK-DAG: reject-17-interrupt-attribute.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'interrupt'{{.*}}; hint: {{.+}} [safe-c-attribute]
__attribute__((interrupt)) void handler(struct frame *f) { (void)f; }
