/* Type signatures of crate exports and imports (docs/safe-c.md, "The
 * verdict and the signatures").
 *
 * The safe-C plugin writes, into section `theseus_safec` of every object it
 * passes, one line per exported definition and per import:
 *
 *     def NAME DIGEST [TAG=LAYOUT ...]
 *     ref NAME DIGEST [TAG=LAYOUT ...]
 *
 * DIGEST (32 hex digits) stands for the symbol's type with records named
 * by tag; each TAG=LAYOUT gives the layout digest of a record that type
 * reaches and this object defines. An import matches its provider when
 * the digests are equal and every tag both sides list has one layout.
 * Lines end at a newline or a NUL (ld -r pads between the records of a
 * crate's sources with zeros). Header lines ("safec 1 ...") and unknown
 * lines are skipped; a malformed
 * def or ref line makes the whole record malformed.
 *
 * The parser is portable and allocates through the linker's env; it is
 * shared by the nano-core, objcheck and the host tests. */
#ifndef THESEUS_LINKER_SIGNATURE_H
#define THESEUS_LINKER_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIG_SECTION "theseus_safec"
#define SIG_DIGEST_CHARS 32u

struct sig_entry {
	const char *name;    /* not NUL-terminated: name_len bytes */
	uint32_t name_len;
	const char *digest;  /* SIG_DIGEST_CHARS hex digits */
	const char *tags;    /* " TAG=LAYOUT..." up to the line's end */
	uint32_t tags_len;
};

/* A record's def and ref lines, sorted by kind and name for lookups. */
struct sig_index {
	const char *text;
	uint64_t size;
	uint32_t *lines;     /* offsets of def/ref lines, sorted */
	uint32_t count;
	uint32_t headers;    /* "safec 1 checked" lines seen */
};

typedef void *(*sig_alloc_fn)(void *ctx, size_t size);

/* Index text[0, size). Returns NULL on success, else a one-line reason
 * (malformed line, too large). *index is empty on failure. Lines are
 * allocated with alloc (count * 4 bytes) and freed by the caller. */
const char *sig_index_build(struct sig_index *index, const char *text, uint64_t size,
                            sig_alloc_fn alloc, void *ctx);

/* Find the `def` (want_def) or `ref` line for name. */
bool sig_lookup(const struct sig_index *index, bool want_def, const char *name,
                struct sig_entry *out);

/* NULL when the import `ref` matches the definition `def`; else a
 * one-line reason (which tag differs, or that the types differ). */
const char *sig_mismatch(const struct sig_entry *ref, const struct sig_entry *def);

#endif
