// A compound literal of plain data passed down.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
struct pair { int a, b; };
int add(const struct pair *p);
int three(void) { return add(&(struct pair){1, 2}); }
