/* The runtime linker core: loads crates from the archive on demand, links
 * them with per-section dependency records, and tracks references.
 *
 * All state lives in `struct linker`, which the caller owns (the nano-core
 * keeps one; host tests keep several).  Nothing here touches global
 * mutable state; every effect on the machine goes through the env
 * (linker_env.h).  Not reentrant: one request at a time, and a crate's init
 * may not call back into the linker (it gets E_BUSY).
 *
 * Crate ids are archive crate-table indices.  A crate's `generation` grows
 * each time the crate is unloaded (or, later, replaced), which is what makes
 * weak references detect staleness.
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

/* ---- records --------------------------------------------------------- */

/* How an applied relocation was written, so a later swap can re-apply it. */
enum reloc_form {
	RELOC_DIRECT,       /* S+A or S+A-P into the field */
	RELOC_VIA_GOT,      /* through the crate's GOT slot `got_slot` */
	RELOC_RELAXED_LEA,  /* mov GOT -> lea S(%rip) (as ld.lld) */
	RELOC_RELAXED_CALL, /* call *GOT -> addr32 call S */
	RELOC_RELAXED_JMP,  /* jmp *GOT -> jmp S; nop */
	RELOC_RELAXED_IMM,  /* test/binop GOT -> test/binop $S (absolute) */
};

/* One applied relocation: an edge dependent section -> target section. */
struct reloc_record {
	uint64_t offset;         /* of the field in the dependent section */
	int64_t addend;
	uint32_t section;        /* dependent section (index in crate->sections) */
	uint32_t symbol;         /* symbol index in the dependent crate's ELF */
	uint32_t type;           /* R_X86_64_* */
	uint32_t form;           /* enum reloc_form */
	uint32_t target_crate;   /* crate id, LINKER_KERNEL_CRATE or LINKER_NO_CRATE */
	uint32_t target_section; /* index in the target's sections, or LINKER_NO_SECTION */
	uint32_t got_slot;       /* valid when form == RELOC_VIA_GOT */
};

/* Reverse edge kept by a target crate: relocation `reloc` of crate `crate`. */
struct reloc_ref {
	uint32_t crate;
	uint32_t reloc;
};

struct crate_section {
	const char *name;    /* in the crate's ELF image */
	uint32_t shndx;      /* ELF section index */
	enum region_kind kind;
	uint64_t size;
	uint64_t align;
	uint64_t vaddr;      /* run address; 0 for an empty section */
	uint8_t *write;      /* writable alias while linking; NULL when empty */
	uint32_t region;     /* index in crate->regions, or LINKER_NO_SECTION */
};

/* A symbol as resolved while linking (one per ELF symbol). */
struct resolved_symbol {
	uint64_t address;
	uint32_t crate;   /* crate id, LINKER_KERNEL_CRATE, or LINKER_NO_CRATE */
	uint32_t section; /* index in that crate's sections, or LINKER_NO_SECTION */
};

enum crate_state {
	CRATE_ABSENT,  /* only in the archive */
	CRATE_QUEUED,  /* needed by a request in progress, not placed yet */
	CRATE_LINKING, /* placed and being linked by a request in progress */
	CRATE_LOADED,  /* published */
};

struct loaded_crate {
	uint32_t id;
	uint32_t generation;
	const char *name;        /* strings point into the archive */
	const char *version;
	const uint8_t *elf;
	uint64_t elf_size;
	uint64_t shoff;          /* ELF view (validated): section headers */
	uint32_t shnum;
	uint64_t symoff;         /* symbol table */
	uint32_t sym_count;
	uint32_t first_global;
	const char *strtab;
	uint64_t strtab_size;
	const char *shstrtab;
	uint64_t shstrtab_size;

	struct crate_section *sections;
	uint32_t section_count;
	uint32_t *section_of_shndx; /* shnum entries */
	struct linker_region *regions;
	uint32_t region_count;
	struct linker_region got;   /* size 0: no GOT */
	uint32_t got_count;
	uint32_t *got_symbols;      /* symbol index per GOT slot */
	uint32_t *exports;          /* exported symbol indices, sorted by name */
	uint32_t export_count;
	struct resolved_symbol *resolved; /* sym_count entries */
	struct reloc_record *relocs;      /* forward edges */
	uint32_t reloc_count;
	uint32_t reloc_cap;
	struct reloc_ref *dependents;     /* reverse edges from other crates */
	uint32_t dependent_count;
	uint32_t dependent_cap;

	uint32_t refcount;
	uint32_t reason_crate;      /* LINKER_NO_CRATE: explicit request */
	const char *reason_symbol;  /* symbol that pulled it in, or NULL */
	char init_name[48];
	uint64_t init_address;      /* 0: no init */
	uint64_t load_time;         /* env->now() delta for the whole request
	                               share of this crate (place+link+init) */
	uint64_t size_of_kind[REGION_KIND_COUNT];
	/* The crate's type signatures (its theseus_safec section), indexed;
	 * empty for a crate loaded unchecked in developer mode. */
	struct sig_index signatures;
	bool unchecked;             /* loaded without a valid stamp (developer mode) */
};

struct crate_slot {
	enum crate_state state;
	uint32_t generation;
	uint32_t swaps;             /* live swaps this crate took part in */
	struct loaded_crate *crate;
	uint32_t reason_crate;      /* recorded when queued */
	const char *reason_symbol;
	/* A pushed crate's own one-crate archive (a private copy, see
	 * linker_add_pushed); NULL for the boot archive's crates and for a
	 * vacant pushed slot. */
	struct archive *pushed;
	/* A second instance of boot archive crate copy_of - 1 (a restart,
	 * linker_add_copy); 0 for every other slot. */
	uint32_t copy_of;
};

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

struct linker {
	struct linker_env env;
	struct archive archive;
	const uint8_t *attest_key;
	int allow_unchecked;
	uint64_t crate_memory_limit;
	struct sig_index kernel_signatures;
	/* Ids below archive.crate_count are the boot archive's crates; the
	 * ones above are crates pushed at run time (linker_add_pushed). */
	struct crate_slot *slots;
	uint32_t slot_count;
	int pack_sections;
	int busy;
};

/* ---- lifecycle ------------------------------------------------------- */

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

/* Replace loaded crate `old_id` by crate `new_name` (loaded now if it is
 * not): every relocation of another crate that points into OLD is
 * re-pointed at NEW's export of the same name (through env->patch), those
 * dependency records move to NEW, and OLD is unloaded, so its weak
 * references go stale and re-resolve to NEW. All or nothing: E_NOENT when
 * NEW lacks a symbol some crate imports from OLD (err names the first, and
 * err->reason counts them), E_BUSY when OLD has strong references, E_RANGE
 * when a re-pointed field would overflow; OLD then stays, untouched.
 * Quiescence (no task executing in OLD) is the caller's to establish. */
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
/* Drop a pushed or copied crate that is not loaded (its load or swap
 * failed, or it was swapped out or unloaded), freeing its image. E_INVAL
 * for a crate of the boot archive, E_BUSY while it is loaded. */
struct status linker_forget_pushed(struct linker *l, uint32_t crate_id);
/* Is `crate_id` a pushed crate (loaded or not)? */
bool linker_is_pushed(const struct linker *l, uint32_t crate_id);

/* A fresh, unloaded instance of crate `of` (of the boot archive, pushed,
 * or itself a copy): the same image under a new id, so that swapping `of`
 * for it restarts the crate with new .data/.bss and its init run again.
 * Dropped with linker_forget_pushed like a pushed crate. */
struct status linker_add_copy(struct linker *l, uint32_t of, uint32_t *crate_id,
                              struct link_error *err);
/* Was `crate_id` added at run time (pushed or copied)? */
bool linker_is_added(const struct linker *l, uint32_t crate_id);
/* Does crate `crate_id` (loaded or not) export `symbol`, by the index of
 * its archive? */
bool linker_crate_exports_symbol(const struct linker *l, uint32_t crate_id, const char *symbol);

/* Load crate `crate_id` (boot archive or pushed) and what it needs. */
struct status linker_load_id(struct linker *l, uint32_t crate_id, struct link_error *err);

/* linker_swap with NEW given by id (a pushed crate, typically). */
struct status linker_swap_to(struct linker *l, uint32_t old_id, uint32_t new_id,
                             struct link_error *err);

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

/* ---- queries --------------------------------------------------------- */

/* The loaded crate with this id, or NULL. */
const struct loaded_crate *linker_crate(const struct linker *l, uint32_t crate_id);
/* Iterate loaded crates: start with LINKER_NO_CRATE; LINKER_NO_CRATE ends. */
uint32_t linker_next_loaded(const struct linker *l, uint32_t after);
/* The loaded crate called `name` (a pushed one included); else the boot
 * archive's crate of that name; else LINKER_NO_CRATE. */
uint32_t linker_crate_by_name(const struct linker *l, const char *name);
/* The archive entry of crate `crate_id`: from the boot archive, or from
 * the pushed crate's own archive. Fails (false) for an unknown or vacant id. */
bool linker_crate_entry(const struct linker *l, uint32_t crate_id, struct archive_crate *out);

struct linker_crate_stats {
	const char *name;
	const char *version;
	uint32_t generation;
	uint64_t text_size, rodata_size, data_size, bss_size, got_size;
	uint32_t section_count;
	uint32_t reloc_count;
	uint32_t refcount;
	uint32_t dependent_crates; /* distinct crates depending on it */
	uint64_t load_time;
	uint32_t reason_crate;
	const char *reason_symbol;
};
struct status linker_crate_stats(const struct linker *l, uint32_t crate_id,
                                 struct linker_crate_stats *out);

/* One dependency edge, as handed to the iteration callbacks. */
struct linker_edge {
	uint32_t from_crate;
	const struct reloc_record *reloc; /* from_section = reloc->section */
	const char *symbol;               /* name of reloc->symbol ("" for a section) */
};
typedef void (*linker_edge_fn)(void *ctx, const struct linker_edge *edge);

/* Every relocation the crate applied (forward edges, including those
 * inside the crate and to the nano-core). */
void linker_for_each_dependency(const struct linker *l, uint32_t crate_id,
                                linker_edge_fn fn, void *ctx);
/* Every relocation of another crate that points into this one. */
void linker_for_each_dependent(const struct linker *l, uint32_t crate_id,
                               linker_edge_fn fn, void *ctx);

/* Which crate and section contain run address `address` (fault
 * attribution).  Returns the crate id or LINKER_NO_CRATE. */
uint32_t linker_crate_of_address(const struct linker *l, uint64_t address,
                                 uint32_t *section);

/* Does archive crate `crate_id`'s ELF have a section whose name starts
 * with `prefix`? Reads the image without loading it; false when the image
 * is unreadable. */
bool linker_archive_crate_has_section(const struct linker *l, uint32_t crate_id,
                                      const char *prefix);

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
LINKER_CALL_TYPE void linker_call_type_yield(void);
LINKER_CALL_TYPE void linker_call_type_sleep(uint64_t ticks);
LINKER_CALL_TYPE bool linker_call_type_stacks_refer_to(uint64_t lo, uint64_t hi);

/* E_OK when loaded crate `crate_id` defines `symbol` with the type of the
 * prototype `type_name` above (or when types are not compared: no key, no
 * record of the nano-core, an unchecked crate in developer mode); E_PERM
 * with the reason in err otherwise. */
struct status linker_check_call_type(const struct linker *l, uint32_t crate_id, const char *symbol,
                                     const char *type_name, struct link_error *err);

/* Compare two crate versions "MAJOR.MINOR.PATCH" (missing or malformed
 * parts count as 0): negative, zero or positive as a < b, a == b, a > b. */
int linker_version_compare(const char *a, const char *b);

/* Name of symbol `index` of a loaded crate ("" if out of range). */
const char *linker_symbol_name(const struct loaded_crate *c, uint32_t index);

#endif
