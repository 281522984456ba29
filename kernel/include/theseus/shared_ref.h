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
 * win, and the third is mended.
 *
 *   SHARED_REF(struct task_table, table)
 *
 * defines `static struct task_table *table_ref[3]`, `table()` (the address)
 * and `table_set(address)`. */
#ifndef THESEUS_SHARED_REF_H
#define THESEUS_SHARED_REF_H

#define SHARED_REF(T, name)                                                   \
	static T *name##_ref[3];                                              \
	__attribute__((unused)) static T *name(void)                          \
	{                                                                     \
		T *a_ = name##_ref[0], *b_ = name##_ref[1], *c_ = name##_ref[2]; \
		if (a_ == b_ && b_ == c_)                                     \
			return a_;                                            \
		T *agreed_ = a_ == b_ || a_ == c_ ? a_ : b_;                  \
		name##_ref[0] = agreed_;                                      \
		name##_ref[1] = agreed_;                                      \
		name##_ref[2] = agreed_;                                      \
		return agreed_;                                               \
	}                                                                     \
	__attribute__((unused)) static void name##_set(T *to_)                \
	{                                                                     \
		name##_ref[0] = to_;                                          \
		name##_ref[1] = to_;                                          \
		name##_ref[2] = to_;                                          \
	}

#endif
