/* The in-kernel benchmark runner; the KBENCH macros are the trusted header
 * theseus/kbench.h, shared with crates. */
#ifndef THESEUS_KBENCH_H
#define THESEUS_KBENCH_H

#include "kernel.h"

#include <theseus/kbench.h>

/* Runs the benchmarks the selector names ("all", "list", or a comma list
 * of names and prefixes ending in '*'): those marked KBENCH_FIRST, then
 * the nano-core's own, then those of every archive crate that has a
 * .kbench section (each such crate is loaded for it). Reads `bench_iters=N`
 * and `bench_after=NAME` from the command line. `kmain_tsc` is the
 * time-stamp counter at kmain's first instruction (the boot figures).
 * Never returns: exits QEMU, with failure when a benchmark failed. */
[[noreturn]] void kbench_run(const char *selector, uint64_t kmain_tsc);

/* The time-stamp counter at kmain's first instruction, as given to
 * kbench_run; 0 before it. */
uint64_t kbench_kmain_tsc(void);

#endif
