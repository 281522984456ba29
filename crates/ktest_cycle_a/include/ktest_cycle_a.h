/* ktest_cycle_a: half of a pair of crates that import from each other,
 * so the in-kernel tests can check that cyclic imports link. */
#ifndef CRATE_KTEST_CYCLE_A_H
#define CRATE_KTEST_CYCLE_A_H

#include <stdint.h>

/* n + (n - 1) + ... + 1, alternating between the two crates. */
uint64_t cycle_a_sum(uint64_t n);

#endif
