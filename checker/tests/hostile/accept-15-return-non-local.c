// Returning parameters and addresses of static storage.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
static int table[8];
int *keep(int *given) { return given; }
int *slot(void) { return &table[3]; }
