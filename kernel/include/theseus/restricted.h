/* Trusted header: marking interfaces only named crates may use.
 *
 * A restricted operation hands out raw authority over the machine that
 * one crate exercises for everyone: mapping pages at addresses it picks
 * (the memory crate), switching stacks (the task crate). Crate code may
 * use one only when its crate is named for that operation, with a reason,
 * in checker/operations.txt (safe-C rule `restricted`). Halting operations
 * (theseus/halting.h) are allowed the same way. */
#ifndef THESEUS_RESTRICTED_H
#define THESEUS_RESTRICTED_H

#define RESTRICTED_OPERATION __attribute__((annotate("theseus.restricted")))

#endif
