// #pragma pack around an include changes a trusted header's layout.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-15-pragma-pack-include.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'pack'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma pack(1)
#include <theseus/slice.h>
// CHECK-DAG: reject-15-pragma-pack-include.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}pragma 'pack'{{.*}}; hint: {{.+}} [safe-c-pragma]
#pragma pack()
unsigned long length(struct str s) { return s.len; }
