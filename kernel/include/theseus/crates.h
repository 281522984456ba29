/* Trusted header: what the nano-core tells and does for crates about
 * crates — the runtime linker's services. Results are copied into arrays
 * the caller owns (client-held state: the nano-core keeps nothing per
 * caller). */
#ifndef THESEUS_CRATES_API_H
#define THESEUS_CRATES_API_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/halting.h>
#include <theseus/sealed.h>
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
	bool retired;            /* replaced while tasks ran in it; goes once none does (figures as if loaded) */
	bool alternative;
	char alternative_of[32]; /* the crate it may replace, or "" */
	bool pushed;             /* came from the host at run time (kernel_crate_add_pushed) */
	bool restarted;          /* a fresh instance (kernel_crate_add_copy) */
	bool unchecked;          /* loaded without a valid stamp of this build (developer mode) */
	bool forced;             /* pushed with --force: may replace a higher version */
	uint32_t generation;     /* times it was unloaded or replaced */
	uint32_t swaps;          /* live swaps it took part in, as OLD or NEW */
	uint64_t image_bytes;    /* its ELF object in the archive */
	uint64_t text_bytes, rodata_bytes, data_bytes, bss_bytes;
	uint64_t state_bytes;    /* of data_bytes + bss_bytes, its own state: test scratch (KTEST_SCRATCH) left out */
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

/* Fault injection: the next call of exported function `symbol` of loaded
 * crate `crate` raises a CPU exception (its first byte becomes int3),
 * contained like any crate fault. Restart or swap the crate to repair it. */
RESTRICTED_OPERATION struct status kernel_crate_inject_fault(struct str crate, struct str symbol, struct crate_error *why);

/* ---- live evolution: the mechanism (policy: the evolution crate) ---- */

/* A crate by id: loaded, in the archive, or added at run time (pushed from
 * the host, or a fresh copy for a restart). A handle to an added crate
 * that ends up unused is dropped with kernel_crate_drop. */
struct SEALED crate_handle {
	uint32_t id;
	uint32_t generation; /* of the crate when the handle was made */
};
/* The loaded crate that serves `name`: the one called so, or else a loaded
 * alternative of it (counter_v2 after `swap counter counter_v2`); or else
 * the archive's crate of that name. */
struct status kernel_crate_find(struct str name, struct crate_handle *out, struct crate_error *why);
/* The boot archive's crate called `name`, loaded or not. */
struct status kernel_crate_find_archived(struct str name, struct crate_handle *out, struct crate_error *why);
/* `image` is an archive holding one crate (mkimage push), built against
 * this nano-core: checked as the boot archive is, copied, and added
 * unloaded. */
RESTRICTED_OPERATION struct status kernel_crate_add_pushed(struct str image, struct crate_handle *out, struct crate_error *why);
/* A fresh, unloaded copy of crate `of`: new .data/.bss, init run again. */
RESTRICTED_OPERATION struct status kernel_crate_add_copy(const struct crate_handle *of, struct crate_handle *out,
				    struct crate_error *why);
/* Forget an added crate that is not loaded (E_BUSY while it is). */
struct status kernel_crate_drop(const struct crate_handle *h);
/* What kernel_crate_list says of one crate. */
struct status kernel_crate_describe(const struct crate_handle *h, struct crate_summary *out);
/* Does the crate export `symbol` (by its archive's index)? */
bool kernel_crate_has_export(const struct crate_handle *h, struct str symbol);
/* Load the crate behind the handle (an added one, typically). */
struct status kernel_crate_load_handle(const struct crate_handle *h, struct crate_error *why);
/* Does the calling context's frame chain pass through the crate's code?
 * Code that stays in a crate for good (the shell's read loop) asks at a
 * safe point whether a swap waits for it to leave. */
bool kernel_crate_on_stack(const struct crate_handle *h);

/* One replacement, as a policy crate decides it. */
struct swap_plan {
	struct crate_handle old_crate;  /* loaded */
	struct crate_handle new_crate;  /* its replacement (loaded now if not) */
	char save_hook[64];     /* export of OLD, `struct status fn(void)`, run first ("": none) */
	char migrate_hook[64];  /* export of NEW, `struct status fn(uint32_t)`, run last ("": none) */
	uint32_t migrate_arg;
	/* OLD's code may go on running beside NEW (its state lives where
	 * both reach it: the save hook hands over a reference to it): the
	 * swap does not wait for tasks to leave OLD or for its strong
	 * references, and OLD is retired instead of unloaded, to go once
	 * nothing runs in it (kernel_crate_reap_retired). */
	bool retire_old;
	uint64_t cycles;        /* out: the interrupts-off window */
};
/* Apply the plan now if OLD is quiescent: no task executes in it (the
 * task crate's stacks service), nobody holds a strong reference to it,
 * the linker is idle and the caller is not inside it. Otherwise E_AGAIN,
 * with why naming what holds it (E_BUSY: the caller itself is inside).
 * Quiescent: with interrupts off, the save hook runs, every importer is
 * re-linked to NEW (linker_swap_to), NEW's init and migrate hook run, and
 * an added OLD is dropped. A failing save hook changes nothing; a failing
 * migrate hook swaps OLD back. Crate inits that turn interrupts on have
 * them turned off again until the end. */
RESTRICTED_OPERATION struct status kernel_crate_swap_apply(struct swap_plan *plan, struct crate_error *why);

/* Unload every retired crate nothing runs in any more: no task executes
 * in it (the stacks service, the caller's own stack included) and nobody
 * holds a strong reference to it. Returns how many went. */
size_t kernel_crate_reap_retired(void);

/* Is the code that calls this in a retired crate? A loop that never
 * returns out of its crate (a receiver task's) asks it at a safe point
 * and returns E_AGAIN when it is: the task crate then calls the
 * application's entry again, which the new version serves. */
bool kernel_crate_caller_retired(void);

/* The swap's handover: bytes OLD's save hook leaves for NEW's init and
 * migrate hook, for state too large for the state store (the memory
 * crate's registry of every mapping). It exists from the save hook to the
 * end of kernel_crate_swap_apply, and a swap that migrates OLD back after
 * a failed migration hands the same bytes to OLD's migrate hook.
 * put: E_INVAL outside a save hook, E_EXIST when something was put
 * already, E_RANGE above KERNEL_HANDOVER_MAX, E_NOMEM. */
RESULT_TYPE(count_result, size_t);
#define KERNEL_HANDOVER_MAX (256u * 1024u)
struct status kernel_swap_handover_put(struct str data);
/* Copy the handover into out; the value is its length. E_NOENT: nothing
 * handed over (no swap in progress, or none put); E_RANGE: out too small. */
struct count_result kernel_swap_handover_get(struct bytes out);

/* Is a swap being applied (from its save hook to its end)? How NEW's init
 * tells a fresh restart (no handover, in a swap) from a plain load. */
bool kernel_swap_in_progress(void);

/* State that holds pointers (which BYTES_OF refuses) is handed over as a
 * record of a named type, copied whole: OLD's save hook puts it, NEW's
 * migrate hook takes it back only as the same type, of the same size and
 * the same format number. The pointers in it stay valid because what they
 * point to (heap objects, mappings) outlives both versions; the record
 * must not point into OLD itself, whose .data and .bss go with it. Both
 * versions declare the type in one shared header, and a change of its
 * layout must change FORMAT.
 *     struct status HANDOVER_PUT_RECORD(T, const T *record, uint32_t format)
 *     struct status HANDOVER_GET_RECORD(T, T *record, uint32_t format)
 * put: as kernel_swap_handover_put. get: E_NOENT as there; E_INVAL for a
 * handover of another type, size or format (record unchanged). A plain
 * kernel_swap_handover_get of a record is refused with E_PERM. */
TRUSTED_ONLY struct status kernel_swap_handover_put_record_(STRING_LITERAL_ARG const char *type, size_t size,
							     uint32_t format, const void *record);
TRUSTED_ONLY struct status kernel_swap_handover_get_record_(STRING_LITERAL_ARG const char *type, size_t size,
							     uint32_t format, void *record);
#define HANDOVER_PUT_RECORD(T, record, format)                                              \
	({                                                                                  \
		_Static_assert(_Generic((record), T *: 1, const T *: 1, default: 0),        \
			       "HANDOVER_PUT_RECORD(T, record, format): record must be a T *"); \
		kernel_swap_handover_put_record_(#T, sizeof(T), (format), (record));        \
	})
#define HANDOVER_GET_RECORD(T, record, format)                                              \
	({                                                                                  \
		_Static_assert(_Generic((record), T *: 1, default: 0),                      \
			       "HANDOVER_GET_RECORD(T, record, format): record must be a T *"); \
		kernel_swap_handover_get_record_(#T, sizeof(T), (format), (record));        \
	})

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
/* The relocations between a loaded crate and other crates, one edge each
 * (count 1; callers merge them as they show them), with section names
 * when per_section, from the `first`-th on. The value is how many were
 * written; E_RANGE says more follow (ask again from first + value). */
struct count_result kernel_crate_edges(struct str crate, enum crate_edge_direction dir, bool per_section,
				       size_t first, struct crate_edge *out, size_t cap);

/* Where a loaded crate's sections lie (debugging, fault campaigns). */
enum crate_section_kind { CRATE_SECTION_CODE, CRATE_SECTION_RODATA, CRATE_SECTION_DATA, CRATE_SECTION_BSS };
struct crate_section_info {
	char name[48];
	uint64_t address;
	uint64_t size;
	enum crate_section_kind kind;
};
/* The sections of loaded crate `crate` from the `first`-th on; E_RANGE
 * says more follow (ask again from first + value). */
struct count_result kernel_crate_sections(struct str crate, size_t first, struct crate_section_info *out, size_t cap);

struct crate_symbol {
	char name[64];
	uint64_t address;  /* 0 when the crate is not loaded */
};
/* The exports of a crate (from the archive index); E_RANGE as above. */
struct count_result kernel_crate_exports(struct str crate, struct crate_symbol *out, size_t cap);

/* Resolve `symbol` (loading its provider on demand) and call it as
 * `struct status fn(struct str args)` under fault protection: a fault in
 * the callee is reported, handed to the fault service (theseus/services.h)
 * once the call has unwound, and returned as E_FAULT. */
struct status kernel_call_app(struct str symbol, struct str args, struct crate_error *why);

/* kernel_power_off: see theseus/halting.h, the list of halting operations. */

/* A character from the console if one is waiting (never blocks: a
 * reader sleeps between polls, as the shell does, so other tasks run). */
bool kernel_console_try_read_char(char *out);
/* Is a line open on the console: keys other than an end of line read
 * since the last end of line ('\r' or '\n'), and not all rubbed out by
 * backspaces (0x7f, 0x08)? The shell asks it when
 * a console session ended by a fault or a kill, to drop the rest of the
 * line that session was reading rather than run it as a command. */
bool kernel_console_line_open(void);

#endif
