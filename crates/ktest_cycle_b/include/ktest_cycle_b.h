/* ktest_cycle_b: the other half of the cyclic pair (see ktest_cycle_a). */
#ifndef CRATE_KTEST_CYCLE_B_H
#define CRATE_KTEST_CYCLE_B_H

#include <stdint.h>

uint64_t cycle_b_sum(uint64_t n);

#endif
