/* Trusted header: errors as values.
 *
 * No crate may halt or panic the machine; a public function that can fail
 * returns `struct status` (or a result struct built with RESULT_TYPE), and
 * the compiler refuses to let a caller drop it ([[nodiscard]] on the type,
 * made an error by -Werror=unused-result in the crate flags).
 */
#ifndef THESEUS_RESULT_H
#define THESEUS_RESULT_H

enum kerr {
	E_OK = 0,
	E_NOMEM,    /* out of memory */
	E_INVAL,    /* bad argument */
	E_NOENT,    /* no such crate, symbol, task, key */
	E_EXIST,    /* already exists */
	E_BUSY,     /* in use: references or dependents remain */
	E_TIMEOUT,  /* did not happen within the bound */
	E_FAULT,    /* a CPU exception was raised */
	E_BADELF,   /* malformed or unsupported ELF */
	E_BADARCH,  /* malformed archive */
	E_RANGE,    /* value out of range (e.g. relocation overflow) */
	E_PERM,     /* not allowed (private symbol, sealed state) */
	E_STALE,    /* weak reference whose target is gone */
	E_NOSYS,    /* not implemented */
	E_AGAIN,    /* stepped aside: call again (an entry during a swap of its crate) */
	E_KERR_COUNT
};

struct [[nodiscard]] status {
	enum kerr err;
};

#define STATUS_OK ((struct status){E_OK})
#define STATUS(e) ((struct status){(e)})

static inline int status_ok(struct status s) { return s.err == E_OK; }

/* RESULT_TYPE(result_u64, unsigned long) declares
 * struct [[nodiscard]] result_u64 { enum kerr err; unsigned long value; }; */
#define RESULT_TYPE(NAME, T)                                                    \
	struct [[nodiscard]] NAME {                                             \
		enum kerr err;                                                  \
		T value;                                                        \
	}

const char *kerr_name(enum kerr e);
/* The name as a struct str (theseus/slice.h): the nano-core's names are
 * NUL-terminated and shorter than 16 bytes. */
#define KERR_STR(e) str_from_cstr(kerr_name(e), 16)

#endif
