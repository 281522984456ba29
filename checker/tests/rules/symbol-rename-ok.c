// Near misses: ordinary declarations, exports, other attributes.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/crate.h>

CRATE_EXPORT int exported(void) { return 1; }
__attribute__((used)) static int kept = 3;
__attribute__((weak)) int overridable(void) { return kept; }
int copy_bytes(int n);
int copy_bytes(int n) { return n + exported() + overridable(); }
