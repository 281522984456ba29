// The plugin runs after the main action: a clean compile still writes its
// object, a compile with a violation fails and leaves no object behind.
// RUN: rm -f %t.clean.o %t.bad.o
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.clean.o
// RUN: %ld_lld -r %t.clean.o -o %t.linked.o
// RUN: %not %safec -fplugin-arg-safec-crate=t -DBAD -c %s -o %t.bad.o
// RUN: %not test -e %t.bad.o
int twice(int x) { return 2 * x; }
#ifdef BAD
int *forge(unsigned long a) { return (int *)a; }
#endif
