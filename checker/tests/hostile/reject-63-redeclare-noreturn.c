// A crate redeclares a trusted function [[noreturn]].
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
#include <theseus/crates.h>
// CHECK-DAG: reject-63-redeclare-noreturn.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'noreturn'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-63-redeclare-noreturn.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}which the trusted header theseus/crates.h declares{{.*}}; hint: {{.+}} [safe-c-trusted-redeclaration]
[[noreturn]] size_t kernel_crate_list(struct crate_summary *out, size_t cap);
