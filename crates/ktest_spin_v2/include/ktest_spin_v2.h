/* ktest_spin_v2: version 2 of ktest_spin (same interface), for the
 * live-swap tests in ktest_swap. */
#ifndef CRATE_KTEST_SPIN_V2_H
#define CRATE_KTEST_SPIN_V2_H

#include <stdbool.h>
#include <stdint.h>

/* Loops, inside this crate, while *keep_going. */
void spin_while(volatile bool *keep_going);
/* 1 for ktest_spin, 2 for ktest_spin_v2. */
uint64_t spin_version(void);

#endif
