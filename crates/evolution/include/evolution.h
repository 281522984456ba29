/* evolution: how crates are replaced while the system runs — the policy
 * on top of the nano-core's swap primitive (kernel_crate_swap_apply in
 * theseus/crates.h). It waits for quiescence a tick at a time, carries a
 * crate's own state through its FAMILY_save/FAMILY_migrate hooks (and
 * refuses a swap that would drop it), restarts crates from fresh copies,
 * swaps in crates pushed from the host, and keeps the history the shell
 * shows. See docs/live-update.md. */
#ifndef CRATE_EVOLUTION_H
#define CRATE_EVOLUTION_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/crates.h>
#include <theseus/result.h>
#include <theseus/slice.h>

/* Replace loaded crate OLD by the archive's crate NEW once no task
 * executes in OLD and nobody holds a strong reference to it (about half a
 * second at most). Refused (E_PERM) when OLD keeps state of its own in
 * .data/.bss and no FAMILY_save (OLD) / FAMILY_migrate (NEW) pair carries
 * it over, FAMILY being the crate NEW is an alternative of, or its own
 * name. On success why says how long it took. */
struct status evolution_swap(struct str old, struct str new_crate, struct crate_error *why);

/* Restart the loaded crate serving `crate` (the name of an alternative's
 * original finds the alternative): a fresh copy of its image is swapped
 * in for it, its init runs again, and state kept outside it (the state
 * store, its clients) carries on. Its own .data/.bss start over, so unless
 * `fresh`, a crate that keeps any must export FAMILY_save, which carries
 * it (with FAMILY_migrate) or refuses to lose it; else E_PERM, naming the
 * bytes. `fresh` (recovery from a fault: the state is suspect) skips that
 * check; the hooks still run when the crate has them. */
struct status evolution_restart(struct str crate, bool fresh, struct crate_error *why);

/* Replace the loaded crate serving `crate` and come back: to the
 * archive's other version of it (an alternative of it, or the crate it is
 * an alternative of) and back, else by a restart that keeps its state.
 * why says what happened, or why it was refused (a swap back that a
 * migration hook refuses leaves the other version running). */
struct status evolution_evolve(struct str crate, struct crate_error *why);

/* What became of a crate pushed from the host. */
struct push_report {
	char crate[32];          /* the pushed crate's name */
	char new_version[16];
	bool replaced;           /* a loaded crate was swapped out for it ... */
	char old_crate[32];      /* ... this one */
	char old_version[16];
	uint64_t cycles;         /* the swap, request to done (or the load, when nothing was replaced) */
	struct crate_error why;  /* on failure, the reason; else a summary */
};
/* `image` is an archive holding one crate (mkimage push), built against
 * this nano-core: checked, then swapped in for the loaded crate of the
 * same name (or the crate it declares itself an alternative of), or
 * loaded if neither is loaded. On failure nothing changes: the old crate
 * still runs and the image is dropped. */
struct status evolution_push(struct str image, struct push_report *out);

/* Is a swap waiting for the calling code to leave its crate? Code that
 * stays in a crate for good (the shell's read loop) asks at a safe point
 * and returns E_AGAIN from its entry, which the nano-core calls again
 * once the swap is done: in the new version. */
bool evolution_swap_pending(void);

/* The most recent swap requests, oldest first. */
#define SWAP_HISTORY_MAX 16
struct swap_record {
	char old_crate[32];
	char new_crate[40];
	enum kerr result;
	uint64_t cycles;      /* request to done, quiescence wait included */
	uint64_t at_cycles;   /* time-stamp counter when it finished */
};
struct swap_history {
	struct swap_record records[SWAP_HISTORY_MAX];
	size_t count;
	uint64_t total;       /* requests ever made */
};
void evolution_history(struct swap_history *out);

#endif
