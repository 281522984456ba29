/* The runtime linker: loads crates from the archive on demand, links them
 * with per-section dependency records, tracks references, and replaces a
 * loaded crate live. This is its whole public interface; its records are
 * private to kernel/linker/ (linker_internal.h), so the nano-core asks
 * through the queries below instead of reading them.
 *
 * All state lives in `struct linker`, which the caller owns (the nano-core
 * keeps one; host tests keep several).  Nothing here touches global
 * mutable state; every effect on the machine goes through the env
 * (linker_env.h).  Not reentrant: one request at a time, and a crate's init
 * may not call back into the linker (it gets E_BUSY).
 *
 * Crate ids: the boot archive's crate-table indices first, then crates
 * added at run time (pushed, or copies for a restart).  A crate's
 * `generation` grows each time it is unloaded or replaced, which is what
 * makes weak and named references detect staleness.
 */
#ifndef THESEUS_LINKER_H
#define THESEUS_LINKER_H

#include "archive.h"
#include "elf64.h"
#include "linker_env.h"
#include "signature.h"
#include "stamp.h"

#define LINKER_NO_CRATE UINT32_MAX
#define LINKER_KERNEL_CRATE (UINT32_MAX - 1) /* target of nano-core symbols */
#define LINKER_NO_SECTION UINT32_MAX
/* The bss section of a crate's test scratch (theseus/ktest.h's
 * KTEST_SCRATCH): counted apart, since it is not the crate's state. */
#define LINKER_SCRATCH_SECTION ".bss.ktest_scratch"

/* ---- errors ---------------------------------------------------------- */

/* Filled on failure; every string is copied (bounded), so the error stays
 * valid after the crate it names is gone.  Empty strings mean "n/a". */
struct link_error {
	enum kerr code;
	char crate[48];   /* the crate being loaded or named in the request */
	char symbol[96];  /* the symbol involved */
	char section[64]; /* for relocation errors: the section patched */
	uint64_t offset;  /* ... the offset in it */
	uint32_t reloc_type;
	int has_reloc;    /* section/offset/reloc_type are meaningful */
	char reason[192];
};

/* One line "crate: symbol: reloc ...: reason (E_xxx)" into buf; returns
 * the length written (always NUL-terminated when size > 0). */
size_t link_error_format(const struct link_error *err, char *buf, size_t size);

/* ---- the linker ------------------------------------------------------ */

struct crate_slot; /* private: one per crate id */

struct linker_options {
	/* Nonzero: one region per crate and kind, sections packed inside it.
	 * Zero: one region per section (the fully fine-grained model). */
	int pack_sections;
	/* The build's attestation key (STAMP_KEY_SIZE bytes): every crate
	 * must carry a stamp made with it (stamp.h), and its imports must
	 * match their providers' type signatures (signature.h). NULL: neither
	 * is required (host tests of the relocator on plain objects). */
	const uint8_t *attest_key;
	/* Developer mode: a crate without a valid stamp is loaded anyway,
	 * marked unchecked, and its signatures are not compared. */
	int allow_unchecked;
	/* Most bytes one crate's sections may take in memory (its .bss
	 * included); 0: no limit. */
	uint64_t crate_memory_limit;
	/* The nano-core's own signature record, for imports from it; NULL
	 * when there is none (then such imports are not compared). */
	const char *kernel_signatures;
	uint64_t kernel_signatures_size;
};

struct swap_ahead;
struct linker {
	struct linker_env env;
	struct archive archive;
	const uint8_t *attest_key;
	int allow_unchecked;
	uint64_t crate_memory_limit;
	struct sig_index kernel_signatures;
	/* Run addresses [lo, hi) spanning the bytes the last linker_repair
	 * changed (lo == hi: none), for the nano-core to tell which code a
	 * task may have been running when it was corrupt. */
	uint64_t repaired_lo, repaired_hi;
	struct crate_slot *slots;
	uint32_t slot_count;
	int pack_sections;
	int busy;
	/* Bumped whenever a reverse edge is added or dropped: a swap planned
	 * ahead (linker_prepare_swap) holds while it is unchanged. */
	uint64_t edges_version;
	struct swap_ahead *ahead;
};

struct status linker_init(struct linker *l, const struct linker_env *env,
                          const void *archive, uint64_t archive_size,
                          const struct linker_options *options,
                          struct link_error *err);
/* Unload every crate (ignoring references) and free all bookkeeping. */
void linker_fini(struct linker *l);

/* ---- requests -------------------------------------------------------- */

/* Load crate `name` and whatever it needs.  E_EXIST (and *crate_id set)
 * when it is already loaded.  Takes no reference. */
struct status linker_load_crate(struct linker *l, const char *name,
                                uint32_t *crate_id, struct link_error *err);
/* Load crate `crate_id` (boot archive or added) and what it needs. */
struct status linker_load_id(struct linker *l, uint32_t crate_id, struct link_error *err);

struct linker_symbol {
	uint64_t address;
	uint32_t crate_id;
	uint32_t generation;
};

#define LINKER_TAKE_REF 0x1u

/* Address of the exported symbol `name`, loading its provider on demand.
 * With LINKER_TAKE_REF a strong reference on the provider is taken. */
struct status linker_resolve(struct linker *l, const char *name, unsigned flags,
                             struct linker_symbol *out, struct link_error *err);

/* Like linker_resolve, but never loads anything: E_NOENT unless a loaded
 * crate exports `name`. */
struct status linker_resolve_loaded(struct linker *l, const char *name,
                                    struct linker_symbol *out);

/* Refused (E_BUSY, reason in err) while strong references or dependents
 * remain.  Frees the crate's memory through the env. */
struct status linker_unload(struct linker *l, uint32_t crate_id,
                            struct link_error *err);

/* Unload crate `crate_id` together with the crates in an import cycle
 * with it: every crate that depends on it, directly or not, must also be
 * one it imports from, directly or not, and none may hold strong
 * references. Otherwise E_BUSY names the outside dependent (or the
 * referenced crate) and nothing is unloaded. *count: crates unloaded. */
struct status linker_unload_cycle(struct linker *l, uint32_t crate_id, uint32_t *count,
                                  struct link_error *err);

/* ---- live replacement ------------------------------------------------ */

/* Replace loaded crate `old_id` by crate `new_id` (loaded now if it is
 * not; if it is prepared, its init runs now): every relocation of another crate that points into OLD is
 * re-pointed at NEW's export of the same name (through env->patch), those
 * dependency records move to NEW, and OLD is unloaded, so its weak
 * references go stale and re-resolve to NEW. All or nothing: E_NOENT when
 * NEW lacks a symbol some crate imports from OLD (err names the first, and
 * err->reason counts them), E_BUSY when OLD has strong references, E_RANGE
 * when a re-pointed field would overflow; OLD then stays, untouched.
 * Quiescence (no task executing in OLD) is the caller's to establish. */
struct status linker_swap_to(struct linker *l, uint32_t old_id, uint32_t new_id,
                             struct link_error *err);
/* Load crate `new_id` as linker_swap_to would, but for its own init:
 * placed, linked (what it needs loaded, their inits run) and protected,
 * yet not serving: no request binds to it, its init waits. A later
 * linker_swap_to runs the init and puts it in place, so a swap's
 * quiescent window need not hold the load. E_EXIST when it is loaded or
 * prepared already; E_INVAL when it sits in an import cycle with a crate
 * of the same request (an init would run before the one it imports). */
struct status linker_prepare(struct linker *l, uint32_t new_id, struct link_error *err);
/* linker_prepare and, while OLD's importers stay as they are, the swap
 * planned too: the interface checked (a mismatch is refused now, with NEW
 * unprepared) and every re-pointed field computed, so that the
 * linker_swap_to that follows only writes them. NEW loaded already is
 * planned for as it is; E_INVAL: NEW cannot be prepared apart (an import
 * cycle), nothing is planned. */
struct status linker_prepare_swap(struct linker *l, uint32_t old_id, uint32_t new_id, struct link_error *err);
/* Forget a swap planned ahead that will not happen (NEW stays as it is). */
void linker_cancel_swap_plan(struct linker *l);
/* Forget a prepared crate that is not swapped in (E_NOENT if none). */
struct status linker_unprepare(struct linker *l, uint32_t crate_id, struct link_error *err);
bool linker_is_prepared(const struct linker *l, uint32_t crate_id);
/* linker_swap_to for an OLD that tasks may still execute in, or hold
 * strong references to: the importers are re-linked to NEW as by
 * linker_swap_to, but OLD is retired, not unloaded. It stays placed and
 * linked (a swap of what it imports re-links it too), so the tasks
 * inside it run on until they return out of it; no request binds to it
 * any more, and a load of its name finds NEW. linker_unload takes it once
 * nothing runs in it (the caller's to establish, as for a swap).
 * Sound only for a crate whose code may go on running beside its
 * successor: one that keeps its state where both versions reach it. */
struct status linker_swap_retiring(struct linker *l, uint32_t old_id, uint32_t new_id,
                                   struct link_error *err);
/* Put retired crate `crate_id` back in service, to be swapped back in
 * (a retiring swap undone: its successor's migration failed). E_NOENT
 * when it is not retired. */
struct status linker_unretire(struct linker *l, uint32_t crate_id, struct link_error *err);
/* linker_swap_to with NEW named: the boot archive's crate of that name. */
struct status linker_swap(struct linker *l, uint32_t old_id, const char *new_name,
                          uint32_t *new_id, struct link_error *err);

/* Add a crate pushed into the running system: `image` is an archive
 * holding exactly one crate, built against this nano-core (same
 * nano_core_id), and is checked as the boot archive is (header, bounds,
 * CRCs, index). It is copied, so the caller may free it. The crate gets
 * a new id and is not loaded: load it (linker_load_id) or swap it in
 * (linker_swap_to). While it is loaded, name lookups find it before the
 * boot archive's crate of the same name. */
struct status linker_add_pushed(struct linker *l, const void *image, uint64_t size,
                                uint32_t *crate_id, struct link_error *err);
/* A fresh, unloaded instance of crate `of` (of the boot archive, pushed,
 * or itself a copy): the same image under a new id, so that swapping `of`
 * for it restarts the crate with new .data/.bss and its init run again. */
struct status linker_add_copy(struct linker *l, uint32_t of, uint32_t *crate_id,
                              struct link_error *err);
/* Drop a pushed or copied crate that is not loaded (its load or swap
 * failed, or it was swapped out or unloaded), freeing its image. E_INVAL
 * for a crate of the boot archive, E_BUSY while it is loaded. */
struct status linker_forget_pushed(struct linker *l, uint32_t crate_id);
/* Is `crate_id` a pushed crate (loaded or not)? Added at run time (pushed
 * or copied)? */
bool linker_is_pushed(const struct linker *l, uint32_t crate_id);
bool linker_is_added(const struct linker *l, uint32_t crate_id);

/* Repair loaded crate `crate_id`'s code in place: every code and read-only
 * section is rebuilt from the crate's image with its relocations applied
 * to today's bindings, and each byte that differs (a flipped bit, an
 * injected breakpoint) is written back through env->patch, as is each GOT
 * slot. Data is not touched: the crate keeps its state, and no task needs
 * to leave it (the caller keeps interrupts off). `scratch` (at least as
 * large as the crate's largest section; E_RANGE otherwise) is the
 * caller's: nothing is allocated, so a fault handler may repair, even
 * while a request for other crates is in progress. *changed: bytes
 * written. */
struct status linker_repair(struct linker *l, uint32_t crate_id, uint8_t *scratch, uint64_t scratch_size,
                            uint64_t *changed, struct link_error *err);

/* ---- references ------------------------------------------------------ */

struct status linker_ref_get(struct linker *l, uint32_t crate_id);
struct status linker_ref_put(struct linker *l, uint32_t crate_id);

/* A weak reference to an exported symbol: holds no reference. */
struct weak_ref {
	uint32_t crate_id;
	uint32_t generation;
	uint32_t symbol_name_off; /* archive string table offset of the name */
};

/* Weak reference to exported `name` (provider loaded on demand). */
struct status linker_weak_ref(struct linker *l, const char *name,
                              struct weak_ref *out, struct link_error *err);
/* On success takes a strong reference (drop it with linker_ref_put) and
 * gives the address; E_STALE once the crate was unloaded or replaced. */
struct status linker_weak_upgrade(struct linker *l, const struct weak_ref *ref,
                                  struct linker_symbol *out);

/* ---- calls by name ---------------------------------------------------- */

/* The types the nano-core calls crate functions with when it finds them by
 * name (an init, the entry, an application's main, an interrupt handler, a
 * swap hook, the task crate's services). Declared, never defined: the
 * safe-C plugin records each one's type signature in the nano-core's own
 * record (annotate("theseus.call_type")), and linker_check_call_type
 * compares it with the called function's definition, so a crate cannot
 * export a name the nano-core calls with another type (an application
 * main taking an int * would get the argument text's length as a
 * pointer). */
#define LINKER_CALL_TYPE __attribute__((annotate("theseus.call_type")))
struct str;
LINKER_CALL_TYPE struct status linker_call_type_status_void(void);
LINKER_CALL_TYPE struct status linker_call_type_app(struct str args);
LINKER_CALL_TYPE void linker_call_type_irq(uint8_t vector);
LINKER_CALL_TYPE struct status linker_call_type_migrate(uint32_t from_major);
LINKER_CALL_TYPE void linker_call_type_sleep(uint64_t ticks);
LINKER_CALL_TYPE bool linker_call_type_stacks_refer_to(uint64_t lo, uint64_t hi);
struct fault_report;
LINKER_CALL_TYPE void linker_call_type_fault(struct fault_report *report);
struct user_syscall;
LINKER_CALL_TYPE void linker_call_type_syscall(struct user_syscall *call);

/* The same types, for a named reference to carry (linker_named_ref_bind):
 * its provider is only taken when it defines the name with that type. */
enum linker_call_type {
	LINKER_CALL_UNTYPED,     /* not compared (host tests) */
	LINKER_CALL_STATUS_VOID, /* linker_call_type_status_void */
	LINKER_CALL_APP,         /* linker_call_type_app */
	LINKER_CALL_IRQ,         /* linker_call_type_irq */
	LINKER_CALL_MIGRATE,     /* linker_call_type_migrate */
	LINKER_CALL_SLEEP,       /* linker_call_type_sleep */
	LINKER_CALL_STACKS,      /* linker_call_type_stacks_refer_to */
	LINKER_CALL_FAULT,       /* linker_call_type_fault */
	LINKER_CALL_SYSCALL,     /* linker_call_type_syscall */
	LINKER_CALL_TYPE_COUNT
};
/* The prototype's name ("linker_call_type_..."), or NULL for UNTYPED. */
const char *linker_call_type_name(enum linker_call_type type);

/* E_OK when loaded crate `crate_id` defines `symbol` with the type of the
 * prototype `type_name` above (or when types are not compared: no key, no
 * record of the nano-core, an unchecked crate in developer mode); E_PERM
 * with the reason in err otherwise. */
struct status linker_check_call_type(const struct linker *l, uint32_t crate_id, const char *symbol,
                                     const char *type_name, struct link_error *err);

/* Compare two crate versions "MAJOR.MINOR.PATCH" (missing or malformed
 * parts count as 0): negative, zero or positive as a < b, a == b, a > b. */
int linker_version_compare(const char *a, const char *b);

/* A named reference to an exported function: its name (kept in the boot
 * archive, which outlives every crate) plus the weak reference it last
 * resolved to. Unlike a weak reference it never dangles for good: once its
 * crate is unloaded or replaced, the next acquire finds the name's
 * current provider among the loaded crates (the replacement, after a
 * swap). What the nano-core holds to call crates (interrupt handlers,
 * the services crates register) and what crates hold through it. */
struct linker_named_ref {
	uint32_t name_off;   /* the symbol in the archive's string table */
	uint32_t crate_id;   /* LINKER_NO_CRATE: not resolved (yet) */
	uint32_t generation; /* of that crate when resolved */
	uint32_t flags;      /* LINKER_REF_BOUND, LINKER_REF_PROVISIONAL */
	uint64_t address;    /* cached; trusted only while the generation holds */
};
#define LINKER_REF_BOUND 1u       /* names a symbol */
#define LINKER_REF_PROVISIONAL 2u /* resolved in a crate still being loaded */
/* Bits 8..15 of flags: the enum linker_call_type the provider must define
 * the name with (kept in flags so that the layout stays what sealed
 * copies of it, irq_handler_ref, declare). */
#define LINKER_REF_TYPE_SHIFT 8u
#define LINKER_REF_TYPE_MASK 0xff00u

/* A function held for one call: a strong reference on its crate (unless
 * provisional) until linker_named_ref_release. */
struct linker_held {
	uint64_t address;
	uint32_t crate_id;
	uint32_t generation;
	bool strong;
};

/* Bind `out` to exported function `name`, which its provider must define
 * with type `type` (see linker_check_call_type): E_NOENT when the boot
 * archive lists no such export, E_INVAL when it is not code, E_PERM when
 * the loaded provider defines it with another type. The provider is
 * loaded on demand, except while a request is in progress (a crate's
 * init binding): then a crate being loaded counts, or the reference
 * stays unresolved until a call finds its provider loaded. */
struct status linker_named_ref_bind(struct linker *l, const char *name, enum linker_call_type type,
                                    struct linker_named_ref *out, struct link_error *err);
/* For one call: upgrade, re-resolving by name once when the reference went
 * stale. Never loads anything. E_STALE: no loaded crate exports the name
 * (the reference is left unresolved). */
struct status linker_named_ref_acquire(struct linker *l, struct linker_named_ref *ref,
                                       struct linker_held *out);
/* Drop what acquire took (once; later calls do nothing). */
void linker_named_ref_release(struct linker *l, struct linker_held *held);
/* The bound name, or NULL. */
const char *linker_named_ref_name(const struct linker *l, const struct linker_named_ref *ref);
/* Forget the crate the reference resolved to (the name stays). */
void linker_named_ref_unresolve(struct linker_named_ref *ref);

/* ---- queries --------------------------------------------------------- */

/* Is crate `crate_id` loaded (published)? */
bool linker_is_loaded(const struct linker *l, uint32_t crate_id);
/* Iterate loaded crates: start with LINKER_NO_CRATE; LINKER_NO_CRATE ends. */
uint32_t linker_next_loaded(const struct linker *l, uint32_t after);
/* Loaded and retired crates together (the code that may run), the same way. */
uint32_t linker_next_placed(const struct linker *l, uint32_t after);
/* Retired crates (linker_swap_retiring), iterated the same way. */
bool linker_is_retired(const struct linker *l, uint32_t crate_id);
uint32_t linker_next_retired(const struct linker *l, uint32_t after);
/* The loaded crate called `name` (a pushed one included); else the boot
 * archive's crate of that name; else LINKER_NO_CRATE. */
uint32_t linker_crate_by_name(const struct linker *l, const char *name);
/* The loaded crate that serves `name`: the one called so, else a loaded
 * crate declared an alternative of it (counter_v2 after `swap counter
 * counter_v2`); else as linker_crate_by_name. */
uint32_t linker_crate_serving(const struct linker *l, const char *name);
/* The archive entry of crate `crate_id`: from the boot archive, or from
 * the pushed crate's own archive. Fails (false) for an unknown or vacant id. */
bool linker_crate_entry(const struct linker *l, uint32_t crate_id, struct archive_crate *out);
/* Name of crate `crate_id` (loaded or not), "nano_core" for
 * LINKER_KERNEL_CRATE, or NULL for an unknown or vacant id. */
const char *linker_crate_name(const struct linker *l, uint32_t crate_id);
/* Does crate `crate_id` (loaded or not) export `symbol`, by the index of
 * its archive? */
bool linker_crate_exports_symbol(const struct linker *l, uint32_t crate_id, const char *symbol);

struct linker_crate_stats {
	const char *name;
	const char *version;
	bool loaded;
	bool retired;               /* replaced while tasks ran in it (linker_swap_retiring) */
	uint32_t generation;
	uint32_t swaps;             /* live swaps it took part in */
	/* The rest only for a loaded or retired crate (zero otherwise). */
	bool unchecked;             /* loaded without a valid stamp (developer mode) */
	uint64_t text_size, rodata_size, data_size, bss_size, got_size;
	uint64_t scratch_size;      /* of bss_size: test scratch, not state (LINKER_SCRATCH_SECTION) */
	uint32_t section_count;
	uint32_t reloc_count;
	uint32_t refcount;
	uint32_t dependent_crates; /* distinct crates depending on it */
	uint32_t dependent_relocs; /* their relocations into it */
	uint64_t load_time;
	uint32_t reason_crate;
	const char *reason_symbol;
};
/* Any crate id with an archive entry; E_NOENT otherwise. */
struct status linker_crate_stats(const struct linker *l, uint32_t crate_id,
                                 struct linker_crate_stats *out);

/* The run address of export `name` of loaded crate `crate_id`; with
 * code_only, only when it lies in the crate's code. */
bool linker_export_address(const struct linker *l, uint32_t crate_id, const char *name,
                           bool code_only, uint64_t *address);
/* Every export of crate `crate_id` (loaded or not, by its archive's index),
 * with its run address when loaded (else 0). */
typedef void (*linker_export_fn)(void *ctx, const char *name, uint64_t address);
void linker_for_each_export(const struct linker *l, uint32_t crate_id,
                            linker_export_fn fn, void *ctx);
/* Is `address` in the code of loaded (or retired) crate `crate_id`? */
bool linker_text_contains(const struct linker *l, uint32_t crate_id, uint64_t address);
/* Each code range [lo, hi) of loaded (or retired) crate `crate_id`. */
typedef void (*linker_range_fn)(void *ctx, uint64_t lo, uint64_t hi);
void linker_for_each_text(const struct linker *l, uint32_t crate_id,
                          linker_range_fn fn, void *ctx);
/* Each placed, non-empty section of loaded crate `crate_id` (or of one
 * the request in progress placed, during env->crate_event) whose name
 * starts with `prefix` ("" for all; the test and benchmark records are
 * .ktests/.kbench), with its kind (its permissions). */
typedef void (*linker_section_fn)(void *ctx, const char *name, uint64_t vaddr, uint64_t size,
                                  enum region_kind kind);
void linker_for_each_section(const struct linker *l, uint32_t crate_id, const char *prefix,
                             linker_section_fn fn, void *ctx);

/* One dependency edge between crates: a relocation of `from_crate` that
 * points into `to_crate` (or the nano-core, LINKER_KERNEL_CRATE). */
struct linker_edge {
	uint32_t from_crate;
	uint32_t to_crate;
	const char *symbol;       /* "" for a section-relative relocation */
	const char *from_section;
	const char *to_section;   /* "(export)" for the nano-core */
};
typedef void (*linker_edge_fn)(void *ctx, const struct linker_edge *edge);

/* Every relocation the crate applied (forward edges, including those
 * inside the crate and to the nano-core). */
void linker_for_each_dependency(const struct linker *l, uint32_t crate_id,
                                linker_edge_fn fn, void *ctx);
/* Every relocation of another crate that points into this one. */
void linker_for_each_dependent(const struct linker *l, uint32_t crate_id,
                               linker_edge_fn fn, void *ctx);

/* Which loaded crate's sections contain run address `address` (fault
 * attribution): its id, or LINKER_NO_CRATE. */
uint32_t linker_crate_of_address(const struct linker *l, uint64_t address);

/* Where an address lies, for a fault report: the crate, and the function
 * symbol of its ELF that contains the address, with the offset into it. */
struct linker_location {
	uint32_t crate_id;        /* LINKER_NO_CRATE: in no loaded crate */
	const char *crate;
	const char *version;
	const char *function;     /* NULL when no symbol covers the address */
	uint64_t offset;          /* from function, else from the section */
	uint64_t function_size;   /* the function's size (its symbol's), 0 when unknown */
	const char *section;
};
bool linker_locate(const struct linker *l, uint64_t address, struct linker_location *out);

/* Does archive crate `crate_id`'s ELF have a section whose name starts
 * with `prefix`? Reads the image without loading it; false when the image
 * is unreadable. */
bool linker_archive_crate_has_section(const struct linker *l, uint32_t crate_id,
                                      const char *prefix);


#endif
