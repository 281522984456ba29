// KTEST_SCRATCH is for statics: scratch visible to other files could be
// the crate's state under another name.
// RUN: %not %safec -fplugin-arg-safec-crate=t -fsyntax-only %s 2>&1 | %check_rules
#include <stdint.h>
#include <theseus/ktest.h>

// CHECK: test-scratch-extern_test.c:[[@LINE+1]]:24: error: 'exported' is KTEST_SCRATCH but not static: scratch stays in the file that declares it{{.*}} [safe-c-test-scratch]
KTEST_SCRATCH uint64_t exported;
