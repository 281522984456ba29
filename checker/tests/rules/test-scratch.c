// KTEST_SCRATCH outside a crate's test and benchmark files: the crate
// would hide state from a swap, which neither carries nor counts scratch.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stdint.h>
#include <theseus/ktest.h>

// CHECK: test-scratch.c:[[@LINE+1]]:31: error: 'counter' is KTEST_SCRATCH in 'test-scratch.c': scratch is for the statics of *_test.c and *_bench.c files, which swaps neither carry nor count; hint: keep state the crate needs in its own statics{{.*}} [safe-c-test-scratch]
static KTEST_SCRATCH uint64_t counter;

uint64_t next(void) { return ++counter; }
