/* ktest_handover: a crate whose state holds a pointer and goes to its
 * alternative, ktest_handover_v2, as a typed record (HANDOVER_PUT_RECORD,
 * theseus/crates.h), for the live-swap tests (ktest_swap). The migrate
 * hook of each version checks the record handover's refusals before it
 * takes the record, and fails the swap if one is missing. */
#ifndef CRATE_KTEST_HANDOVER_H
#define CRATE_KTEST_HANDOVER_H

#include <stdint.h>
#include <theseus/result.h>

#define KTEST_HANDOVER_FORMAT 1u

/* The state both versions keep: a heap object, and a count. */
struct ktest_handover_state {
	uint64_t *object;
	uint64_t swaps;
};

/* Another type of the same size: what a migrate hook must not get. */
struct ktest_handover_impostor {
	uint64_t a, b;
};

/* Make the state: a heap object holding `value`, no swaps yet. */
struct status handover_start(uint64_t value);
/* What the object holds now, and how many swaps the state went through
 * (UINT64_MAX: no state). */
uint64_t handover_value(void);
uint64_t handover_swaps(void);
/* 1 or 2: which version serves. */
uint64_t handover_version(void);
/* Free the object. */
struct status handover_stop(void);

/* The record hooks themselves: save puts the state; migrate checks the
 * refusals and takes it. */
struct status ktest_handover_save(void);
struct status ktest_handover_migrate(uint32_t from_major);

#endif
