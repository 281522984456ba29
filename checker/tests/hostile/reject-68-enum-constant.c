// A crate declares an enumerator named like a trusted one.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-68-enum-constant.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'E_OK'{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
enum mine { E_OK = 7 };
int ok(void) { return E_OK; }
