/* ktest_swap: in-kernel tests of live swap (its tests are its only job). */
#ifndef CRATE_KTEST_SWAP_H
#define CRATE_KTEST_SWAP_H
#endif
