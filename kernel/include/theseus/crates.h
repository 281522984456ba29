/* Trusted header: what the nano-core tells and does for crates about
 * crates — the runtime linker's services. Results are copied into arrays
 * the caller owns (client-held state: the nano-core keeps nothing per
 * caller). */
#ifndef THESEUS_CRATES_API_H
#define THESEUS_CRATES_API_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/halting.h>
#include <theseus/slice.h>

/* A one-line explanation of a failed request. */
struct crate_error {
	char text[200];
};

struct crate_summary {
	char name[32];
	char version[16];
	char description[96];
	bool loaded;
	bool alternative;
	bool pushed;             /* came from the host at run time (kernel_crate_push) */
	bool restarted;          /* a fresh instance made by kernel_crate_restart */
	bool unchecked;          /* loaded without a valid stamp of this build (developer mode) */
	uint32_t generation;     /* times it was unloaded or replaced */
	uint32_t swaps;          /* live swaps it took part in, as OLD or NEW */
	uint64_t text_bytes, rodata_bytes, data_bytes, bss_bytes;
	uint32_t sections, relocations;
	uint32_t refcount, dependent_crates;
	uint64_t load_cycles;
	char loaded_for[96];     /* "explicit request" or "CRATE for SYMBOL" */
};

/* Every crate of the archive, loaded or not, in archive order, then the
 * crates pushed since boot. Returns
 * how many exist (may exceed cap: only cap are written). */
size_t kernel_crate_list(struct crate_summary *out, size_t cap);

/* Developer mode (the `unchecked_crates` boot word): crates without a
 * valid attestation stamp are loaded anyway, marked unchecked. */
bool kernel_crates_developer_mode(void);

/* Load a crate (and what it needs) by name. E_EXIST when already loaded. */
struct status kernel_crate_load(struct str name, struct crate_error *why);
/* Refused with E_BUSY while references or dependents remain. */
struct status kernel_crate_unload(struct str name, struct crate_error *why);

/* Replace loaded crate OLD by NEW (see linker_swap): every crate that
 * imports from OLD is re-linked to NEW, then OLD is unloaded. Refused,
 * with OLD left working, when NEW lacks an imported symbol, when OLD has
 * strong references, or when the calling context is executing in OLD. */
struct status kernel_crate_swap(struct str old, struct str new_crate, struct crate_error *why);

/* Restart a loaded crate: a fresh instance of its image is swapped in
 * for it (the swap's quiescence and migration hook included), so its
 * .data/.bss start over and its init runs again; state it keeps outside
 * itself (the state store, its clients) carries on. */
struct status kernel_crate_restart(struct str crate, struct crate_error *why);

/* Fault injection: the next call of exported function `symbol` of loaded
 * crate `crate` raises a CPU exception (its first byte becomes int3),
 * contained like any crate fault. Restart or swap the crate to repair it. */
struct status kernel_crate_inject_fault(struct str crate, struct str symbol, struct crate_error *why);

/* What became of a crate pushed from the host. */
struct push_report {
	char crate[32];          /* the pushed crate's name */
	char new_version[16];
	bool replaced;           /* a loaded crate was swapped out for it ... */
	char old_crate[32];      /* ... this one */
	char old_version[16];
	uint64_t cycles;         /* request to done, quiescence wait included */
	struct crate_error why;  /* on failure, the reason; else a summary */
};
/* `image` is an archive holding one crate (mkimage push), built against
 * this nano-core. It is checked as the boot archive is, then swapped in
 * for the loaded crate of the same name (or the crate it declares itself
 * an alternative of), or loaded if neither is loaded. A lower version
 * than the loaded crate's is refused (E_PERM) unless the image marks the
 * push as forced (mkimage push --force). On failure nothing changes: the
 * old crate still runs and the image is dropped. The image is copied: the
 * caller may free it on return. */
struct status kernel_crate_push(struct str image, struct push_report *out);

/* Is a swap waiting for the calling code to leave its crate? Code that
 * stays in a crate for good (the shell's read loop) asks at a safe point
 * and returns E_AGAIN from its entry, which the nano-core calls again
 * once the swap is done: in the new version. */
bool kernel_crate_swap_pending(void);

/* The most recent swap requests, oldest first. */
#define SWAP_HISTORY_MAX 16
struct swap_record {
	char old_crate[32];
	char new_crate[32];
	enum kerr result;
	uint64_t cycles;      /* request to done, quiescence wait included */
	uint64_t at_cycles;   /* time-stamp counter when it finished */
};
struct swap_history {
	struct swap_record records[SWAP_HISTORY_MAX];
	size_t count;
	uint64_t total;       /* requests ever made */
};
void kernel_swap_history(struct swap_history *out);

/* One dependency: `from` imports `symbol` from `to`. */
struct crate_edge {
	char from[32];
	char from_section[48];
	char to[32];
	char to_section[48];
	char symbol[64];
	uint32_t count; /* relocations behind this edge */
};

enum crate_edge_direction { CRATE_IMPORTS, CRATE_IMPORTED_BY };
/* Edges between a loaded crate and other crates, merged per (crate,
 * symbol) or, with per_section, per (section, section, symbol). The value
 * is how many were written; E_RANGE says more did not fit. */
RESULT_TYPE(count_result, size_t);
struct count_result kernel_crate_edges(struct str crate, enum crate_edge_direction dir,
				       bool per_section, struct crate_edge *out, size_t cap);

struct crate_symbol {
	char name[64];
	uint64_t address;  /* 0 when the crate is not loaded */
};
/* The exports of a crate (from the archive index); E_RANGE as above. */
struct count_result kernel_crate_exports(struct str crate, struct crate_symbol *out, size_t cap);

/* Resolve `symbol` (loading its provider on demand) and call it as
 * `struct status fn(struct str args)` under fault protection: a fault in
 * the callee is reported and returned as E_FAULT. */
struct status kernel_call_app(struct str symbol, struct str args, struct crate_error *why);

/* kernel_power_off: see theseus/halting.h, the list of halting operations. */

/* A character from the console if one is waiting (never blocks: a
 * reader sleeps between polls, as the shell does, so other tasks run). */
bool kernel_console_try_read_char(char *out);

#endif
