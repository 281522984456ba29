// _Pragma inside a macro is a pragma in crate code.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#define QUIET _Pragma("clang diagnostic ignored \"-Wframe-larger-than\"")
// CHECK-DAG: reject-20-pragma-in-macro.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'clang'{{.*}}; hint: {{.+}} [safe-c-pragma]
QUIET
int nothing(void) { return 0; }
