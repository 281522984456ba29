/* Trusted header: how a crate declares itself and what it exports.
 *
 * Every crate is built with -fvisibility=hidden, so nothing it defines is
 * reachable from another crate unless marked CRATE_EXPORT.  Exactly one
 * CRATE(...) line per crate places its metadata record in the section
 * ".crate_info", which mkimage and the runtime linker read without running
 * any crate code.  The record holds no pointers (so no relocations): the
 * init function is named, and the linker finds it in the crate's own
 * symbol table.
 */
#ifndef THESEUS_CRATE_H
#define THESEUS_CRATE_H

/* Give a crate symbol default visibility: the only way to export it. */
#define CRATE_EXPORT __attribute__((visibility("default")))

#define CRATE_INFO_MAGIC "CRATE01"
#define CRATE_INFO_SECTION ".crate_info"

/* Byte layout shared with mkimage (mkimage/) and the runtime linker; see
 * docs/archive-format.md.  384 bytes, every field NUL-padded text. */
struct crate_info {
	char magic[8];           /* "CRATE01\0" */
	char name[32];           /* crate name, [a-z0-9_]+ */
	char version[16];        /* "MAJOR.MINOR.PATCH" */
	char description[96];    /* one line */
	char init[48];           /* name of `struct status NAME(void)`, or "" */
	char alternative_of[32]; /* crate this one may replace in a swap, or "" */
	char needs[152];         /* declared dependencies, comma-separated, or "" */
};
_Static_assert(sizeof(struct crate_info) == 384, "crate_info layout is ABI");

/* CRATE(name, version, description, init, alternative_of, needs)
 * Strings only; pass "" for an absent init, alternative_of or needs. */
#define CRATE(NAME, VERSION, DESC, INIT, ALT_OF, NEEDS)                         \
	__attribute__((used, section(CRATE_INFO_SECTION), aligned(8)))          \
	static const struct crate_info crate_info_record = {                    \
		CRATE_INFO_MAGIC, NAME, VERSION, DESC, INIT, ALT_OF, NEEDS }

#endif
