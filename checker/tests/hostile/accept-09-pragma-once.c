// '#pragma once' in a crate header is the one allowed pragma.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include "once.h" /* Inputs/hostile */
int sum(struct once_point p) { return p.x + p.y; }
