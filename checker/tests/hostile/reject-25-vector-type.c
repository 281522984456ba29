// Vector types are not in the subset.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
// CHECK-DAG: reject-25-vector-type.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}'vector_size'{{.*}}; hint: {{.+}} [safe-c-attribute]
// CHECK-DAG: reject-25-vector-type.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}vector type{{.*}}; hint: {{.+}} [safe-c-construct]
typedef int v4 __attribute__((vector_size(16)));
// CHECK-DAG: reject-25-vector-type.c:[[@LINE+2]]:{{[0-9]+}}: error: {{.*}}vector type{{.*}}; hint: {{.+}} [safe-c-construct]
// CHECK-DAG: reject-25-vector-type.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}vector type{{.*}}; hint: {{.+}} [safe-c-construct]
int lane(v4 v) { return v[1]; }
