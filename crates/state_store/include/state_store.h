/* state_store: state that must outlive any one version of a crate.
 *
 * A crate that wants its state to survive a live swap keeps it here, under
 * keys it chooses ("counter.total"), instead of in its own .data/.bss: the
 * store is owned by no crate version, so the version swapped in finds what
 * the one swapped out left. Each entry carries the format version its
 * writer stamped, which a migration hook uses to convert old entries. */
#ifndef CRATE_STATE_STORE_H
#define CRATE_STATE_STORE_H

#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define STATE_KEY_MAX 32
#define STATE_VALUE_MAX 128
#define STATE_ENTRIES 32

/* Store a copy of value under key, stamped with format version `version`.
 * E_RANGE when key or value is too long, E_NOMEM when the store is full. */
struct status state_put(struct str key, struct str value, uint32_t version);

struct state_found {
	size_t len;
	uint32_t version;
};
RESULT_TYPE(state_get_result, struct state_found);
/* Copy the value into out. E_NOENT when absent, E_RANGE when out is too small. */
struct state_get_result state_get(struct str key, struct bytes out);

struct status state_remove(struct str key);

/* Live-update hooks (called by the nano-core's swap, not by clients):
 * every entry goes through the swap's handover (theseus/crates.h) to the
 * next instance, so a swap or restart of the store keeps what the other
 * crates put in it. A malformed entry is dropped on the way. Outside a
 * swap they change nothing: save is E_INVAL, migrate E_NOENT. */
struct status state_store_save(void);
struct status state_store_migrate(uint32_t from_major);

#endif
