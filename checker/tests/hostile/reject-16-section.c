// A crate-spelled section attribute places records where the linker reads them.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct ktest_record { const char *name; void (*fn)(void); unsigned flags; };
static void evil(void) {}
// CHECK-DAG: reject-16-section.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'used'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-16-section.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'section'{{.*}}; hint: {{.+}} [safe-c-attribute]
__attribute__((used, section(".ktests.evil"))) static const struct ktest_record r = {"evil", evil, 0};
