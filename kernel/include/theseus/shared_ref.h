/* A crate's reference to state it shares with its next version: the
 * state lives on the heap, the crate's FAMILY_share hook hands its address
 * over, FAMILY_migrate takes it, and the old version's code, which tasks
 * may still be running (a retiring swap, docs/live-update.md), goes on
 * using the same state. Plain C, no unsafe operation: a header so that the
 * crates that share state keep their reference the same way.
 *
 * The address is kept three times. Every operation of the crate goes
 * through it, and one flipped bit in it (the fault campaign flips bits of
 * crate data) must not take the crate down: the two copies that agree
 * win, and `name_mend()`, called now and then, mends the third.
 *
 * The hooks hand the address over as a typed record with the state's size
 * (theseus/crates.h, HANDOVER_PUT_RECORD): a version whose state has
 * another size or format refuses it, and the swap is undone.
 *
 *   SHARED_REF(struct task_table, table)
 *
 * defines `static struct task_table *table_ref[3]`, `table()` (the address),
 * `table_set(address)`, `table_mend()`, and for the hooks
 * `table_hand_over(format)` (FAMILY_share) and `table_take_over(format)`
 * (FAMILY_migrate). */
#ifndef THESEUS_SHARED_REF_H
#define THESEUS_SHARED_REF_H

#include <theseus/crates.h>

#define SHARED_REF(T, name)                                                   \
	static T *name##_ref[3];                                              \
	/* Reads only, so the compiler keeps one answer across a function. */ \
	__attribute__((unused)) static T *name(void)                          \
	{                                                                     \
		T *a_ = name##_ref[0], *b_ = name##_ref[1];                   \
		if (__builtin_expect(a_ == b_, 1))                            \
			return a_;                                            \
		return a_ == name##_ref[2] ? a_ : b_;                         \
	}                                                                     \
	__attribute__((unused)) static void name##_set(T *to_)                \
	{                                                                     \
		name##_ref[0] = to_;                                          \
		name##_ref[1] = to_;                                          \
		name##_ref[2] = to_;                                          \
	}                                                                     \
	/* The odd copy made right again: call it now and then (a timer     \
	 * tick), so that one flip is mended before a second could join it. */ \
	__attribute__((unused)) static void name##_mend(void) { name##_set(name()); } \
	/* What FAMILY_share hands the next version: the address, by reference. */ \
	struct name##_handover {                                              \
		T *address;                                                   \
		uint64_t bytes;                                               \
	};                                                                    \
	__attribute__((unused)) static struct status name##_hand_over(uint32_t format) \
	{                                                                     \
		struct name##_handover out_ = {name(), sizeof(T)};            \
		return HANDOVER_PUT_RECORD(struct name##_handover, &out_, format); \
	}                                                                     \
	/* FAMILY_migrate's part: the address the old version handed over. */ \
	__attribute__((unused)) static struct status name##_take_over(uint32_t format) \
	{                                                                     \
		struct name##_handover in_ = {};                              \
		struct status s_ = HANDOVER_GET_RECORD(struct name##_handover, &in_, format); \
		if (!status_ok(s_))                                           \
			return s_;                                            \
		if (in_.bytes != sizeof(T) || !in_.address)                   \
			return STATUS(E_INVAL);                               \
		name##_set(in_.address);                                      \
		return STATUS_OK;                                             \
	}

#endif
