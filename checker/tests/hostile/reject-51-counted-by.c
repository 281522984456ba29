// A crate-spelled counted_by makes the crate write its own bound.
// RUN: %not %safec -fplugin-arg-safec-crate=evil -fsyntax-only %s 2>&1 | %check_rules
struct bag {
	unsigned long count;
// CHECK-DAG: reject-51-counted-by.c:[[@LINE+1]]:{{[0-9]+}}: error: {{.*}}'counted_by'{{.*}}; hint: {{.+}} [safe-c-attribute]
	int items[] __attribute__((counted_by(count)));
};
int at(struct bag *b, int i) { return b->items[i]; }
