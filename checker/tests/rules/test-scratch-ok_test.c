// KTEST_SCRATCH in a test file (its name ends in _test.c): a static the
// tests share with the tasks they start. A plain static beside it is
// state as before, and other sections are still refused.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: %readobj --sections %t.o | %FileCheck %s
#include <stdint.h>
#include <theseus/ktest.h>

// CHECK: Name: .bss.ktest_scratch
static KTEST_SCRATCH uint64_t shared_with_tasks;
static uint64_t runs;

uint64_t touch(void);
uint64_t touch(void) { return ++shared_with_tasks + ++runs; }
