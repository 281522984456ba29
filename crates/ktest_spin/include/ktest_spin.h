/* ktest_spin: a crate a task can be caught inside, for the live-swap tests
 * (ktest_swap). ktest_spin_v2 is its declared alternative. */
#ifndef CRATE_KTEST_SPIN_H
#define CRATE_KTEST_SPIN_H

#include <stdbool.h>
#include <stdint.h>

/* Loops, inside this crate, while *keep_going. */
void spin_while(volatile bool *keep_going);
/* 1 for ktest_spin, 2 for ktest_spin_v2. */
uint64_t spin_version(void);

#endif
