// The owner crate's own sealed state.
// RUN: %safec -fplugin-arg-safec-crate=server -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/sealed.h>
struct SEALED counter { unsigned long hits; };
void hit(struct counter *c) { c->hits++; }
