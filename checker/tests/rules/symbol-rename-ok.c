// Near misses: ordinary declarations, exports, attributes on the allowlist.
// (used and weak are attribute errors: tests in hostile/.)
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/crate.h>

CRATE_EXPORT int exported(void) { return 1; }
[[maybe_unused]] static int kept = 3;
__attribute__((noinline, cold)) int rarely(void) { return kept; }
int copy_bytes(int n);
int copy_bytes(int n) { return n + exported() + rarely(); }
