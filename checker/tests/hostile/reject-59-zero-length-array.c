// A zero-length array is an array with no element to index.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct header {
	int kind;
// CHECK-DAG: reject-59-zero-length-array.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}zero-length array{{.*}}; hint: {{.+}} [safe-c-flexible-array]
	char data[0];
};
int kind(struct header *h) { return h->kind; }
