// The _Noreturn keyword is the same lie as [[noreturn]].
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-22-noreturn-keyword.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}attribute '_Noreturn'{{.*}}; hint: {{.+}} [safe-c-attribute]
_Noreturn void stop(void);
int go(void) { stop(); return 0; }
