/* Trusted header: sealed state.
 *
 *     struct SEALED counter { unsigned long hits; };
 *
 * Any crate may create, copy and pass around values of, and pointers to, a
 * sealed struct, but only code of the crate that defines it (the crate whose
 * folder crates/NAME/ holds the definition) may read or write its fields, or
 * fill them in an initializer; anyone else gets [safe-c-sealed-field].  A
 * sealed struct defined in a trusted kernel header belongs to no crate, so
 * only trusted header code touches its fields.  This is the paper's opaque
 * exportation: a client holds a server's state without being able to change
 * it.  Put SEALED between `struct` and the tag.  See docs/safe-c.md.
 *
 *     struct SEALED_WRITES str { const char *ptr; size_t len; };
 *
 * A weaker seal: anyone reads the fields, only the owner writes them
 * (assigns, increments, takes a field's address, or fills them in an
 * initializer; `= {}` is fine). The slices of theseus/slice.h are sealed
 * so: trusted code indexes through them, so crate code must not make one
 * whose length outruns its memory.
 */
#ifndef THESEUS_SEALED_H
#define THESEUS_SEALED_H

#define SEALED __attribute__((annotate("theseus.sealed")))
#define SEALED_WRITES __attribute__((annotate("theseus.sealed_writes")))

#endif
