/* Trusted header: explicitly marked unsafe sites, and machine-stopping routines.
 *
 * UNSAFE(reason, code...) expands to exactly `code`, so it can wrap an
 * expression (keeping it an lvalue), a statement, or whole declarations.
 * The safe-C checker notices the expansion (it must come from this file) and
 * lets the rule violations spelled inside it pass, but only when the crate
 * is named in checker/allowlist.txt with a reason.  Every site is counted
 * and reported per crate, so the total can be driven down.  The reason must
 * be a non-empty string literal.  See docs/safe-c.md.
 *
 *     u32 v = UNSAFE("device window mapped by the nano-core",
 *                    *(volatile u32 *)window);
 */
#ifndef THESEUS_UNSAFE_H
#define THESEUS_UNSAFE_H

#define UNSAFE(reason, ...) __VA_ARGS__

/* Marks a routine that can stop or reset the machine (nano-core halt/panic).
 * Crate code may not call it or take its address ([safe-c-halt]). */
#define HALTS __attribute__((annotate("theseus.halts")))

#endif
