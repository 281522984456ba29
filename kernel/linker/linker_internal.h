/* The runtime linker's private records and the interfaces between its
 * files (archive.c, elf.c, loader.c, reloc.c, linker.c, swap.c, pushed.c,
 * named_ref.c). Nothing outside kernel/linker/ includes this, except the
 * linker's own host tests; the nano-core uses linker.h. */
#ifndef THESEUS_LINKER_INTERNAL_H
#define THESEUS_LINKER_INTERNAL_H

#include "linker.h"
#include "lib/util.h"


/* ---- overflow-safe arithmetic (false on overflow) -------------------- */

static inline bool add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

static inline bool mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* [off, off+len) lies within [0, size). */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* Round up to a power-of-two alignment; false on overflow. */
static inline bool align_up_u64(uint64_t v, uint64_t align, uint64_t *out)
{
	uint64_t sum;
	if (!add_u64(v, align - 1, &sum))
		return false;
	*out = sum & ~(align - 1);
	return true;
}

static inline bool fits_int32(uint64_t v)
{
	return v + 0x80000000ull <= 0xffffffffull;
}

static inline bool fits_uint32(uint64_t v)
{
	return v <= 0xffffffffull;
}

/* ---- little-endian access to possibly unaligned bytes ---------------- */

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

/* ---- errors ---------------------------------------------------------- */

/* Reset err and set code, crate and reason; returns STATUS(code).
 * err may be NULL. */
struct status link_fail(struct link_error *err, enum kerr code,
                        const char *crate, const char *reason);
void link_error_set_symbol(struct link_error *err, const char *symbol);
void link_error_set_reloc(struct link_error *err, const char *section,
                          uint64_t offset, uint32_t type);
void link_error_append(struct link_error *err, const char *text);
void link_error_append_u64(struct link_error *err, uint64_t value, int hex);
/* Decimal or 0x-hex text of v into buf (>= 20 bytes); returns buf. */
char *format_u64(char *buf, uint64_t v, int hex);

/* ---- ELF view: a validated, non-allocating look at a crate image ----- */

struct elf_view {
	const uint8_t *image;
	uint64_t size;
	uint64_t shoff;
	uint32_t shnum;
	uint32_t symtab_index;
	uint64_t symoff;
	uint32_t sym_count;
	uint32_t first_global;
	const char *strtab;
	uint64_t strtab_size;
	const char *shstrtab;
	uint64_t shstrtab_size;
};

/* Validate headers, section bounds, string tables and the symbol table. */
struct status elf_view_open(struct elf_view *v, const uint8_t *image,
                            uint64_t size, const char *crate,
                            struct link_error *err);
void elf_view_shdr(const struct elf_view *v, uint32_t index,
                   struct elf64_shdr *out);
void elf_view_sym(const struct elf_view *v, uint32_t index,
                  struct elf64_sym *out);
const char *elf_view_section_name(const struct elf_view *v, uint32_t index);
const char *elf_view_sym_name(const struct elf_view *v, const struct elf64_sym *s);
/* Symbol a crate exports: global/weak, default visibility, defined. */
bool elf_sym_is_exported(const struct elf64_sym *s);
/* Read rela `index` of section header `rela`. */
void elf_view_rela(const struct elf_view *v, const struct elf64_shdr *rela,
                   uint64_t index, struct elf64_rela *out);

/* ---- records (what a loaded crate is made of) -------------------------- */

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
	CRATE_PREPARED, /* placed, linked and protected for a swap; init not run, not published */
	CRATE_RETIRED, /* replaced while tasks still ran in it (linker_swap_retiring): placed and
			* linked, its imports kept up to date, but serving nobody new; unloaded once
			* nothing runs in it */
};

/* Placed and linked, serving or retired: its code may run. */
static inline bool crate_is_placed(enum crate_state state)
{
	return state == CRATE_LOADED || state == CRATE_RETIRED;
}

struct loaded_crate {
	uint32_t id;
	uint32_t generation;
	const char *name;        /* strings point into the archive */
	const char *version;
	struct elf_view elf;     /* its image, validated (elf_view_open) */

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
	uint64_t scratch_size; /* of the bss: sections named LINKER_SCRATCH_SECTION */
	bool mapped_event_sent;     /* env->crate_event heard of its mapping */
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

/* ---- between the linker's files ---------------------------------------- */


/* Zeroed bookkeeping array; NULL when count is 0, on overflow or OOM. */
void *meta_alloc_array(struct linker *l, uint64_t count, uint64_t elem);
void meta_free_array(struct linker *l, void *p, uint64_t count, uint64_t elem);

void crate_free(struct linker *l, struct loaded_crate *c);
void remove_reverse_edges(struct linker *l, uint32_t from);

/* Symbol index of export `name` of c, or LINKER_NO_SECTION. */
uint32_t find_export(const struct loaded_crate *c, const char *name);
bool symbol_address(const struct loaded_crate *c, uint32_t index,
                    uint64_t *address, uint32_t *section);
struct status missing_symbol(struct linker *l, const char *requester,
                             const char *name, struct link_error *err);

/* Record relocation `index` of c as a reverse edge in its target crate. */
struct status add_reverse_edge(struct linker *l, struct loaded_crate *c,
                               uint32_t index, struct link_error *err);

/* E_PERM when c's import `name` has another type signature than the
 * provider's definition (record `provider`, NULL: not compared). */
struct status check_import_signature(const struct linker *l, const struct loaded_crate *c,
                                     const char *name, const struct sig_index *provider,
                                     const char *provider_name, struct link_error *err);

/* Write relocation rec of c into its section through the section's
 * `write` alias (the link, and linker_repair's scratch copy). */
struct status reloc_apply(const struct loaded_crate *c, const struct reloc_record *rec,
                          struct link_error *err);

/* Resolve c's symbols, build its GOT, apply and record its relocations. */
struct status link_crate(struct linker *l, struct loaded_crate *c,
                         struct link_error *err);

/* Crate `id`'s archive entry and CRC-checked ELF image, from the boot
 * archive or its pushed archive (pushed.c). */
/* The archive (boot or pushed) and the index in it behind crate `id`:
 * false for an unknown or vacant id. */
bool slot_archive(const struct linker *l, uint32_t id, const struct archive **a, uint32_t *index);
const uint8_t *slot_image(const struct linker *l, uint32_t id, struct link_error *err);
/* Crate `id`'s image once its stamp is verified (or, without a key, its
 * CRC-32): NULL with the reason in err when it is refused. *object_size:
 * the ELF object's size without the stamp; *unchecked: loaded in
 * developer mode without a valid stamp. */
const uint8_t *slot_attested_image(struct linker *l, uint32_t id, uint64_t *object_size,
                                   bool *unchecked, struct link_error *err);
const uint8_t *attested_image(const struct linker *l, const struct archive *a, uint32_t index,
                              uint64_t *object_size, bool *unchecked, struct link_error *err);
void forget_all_pushed(struct linker *l);

/* The crate an import of exported `name` binds to: the archive's default
 * provider once it is placed (loaded, or in the request in progress);
 * else a loaded crate that exports the name (after a swap, the
 * replacement, pushed crates included); else the default provider, to be
 * loaded. ARCHIVE_NO_CRATE when nothing exports it. *name_off (if not
 * NULL) gets the boot archive's string offset of the name, or UINT32_MAX
 * when only a pushed crate exports it. */
uint32_t import_provider(const struct linker *l, const char *name, uint32_t *name_off);

/* Load crate `id` (ABSENT) and its providers, all or nothing. With
 * `prepare`, the root's init is not run and it is left CRATE_PREPARED. */
struct status run_request(struct linker *l, uint32_t id, const char *reason_symbol, bool prepare,
                          struct link_error *err);
/* Run prepared crate `id`'s init and publish it (CRATE_LOADED); on a
 * failed init it is unprepared. */
struct status finish_prepared(struct linker *l, uint32_t id, struct link_error *err);
/* Forget the swap planned ahead, if any. */
void swap_ahead_drop(struct linker *l);
/* Unpublish and free crate `id` (its reverse edges removed); with
 * new_generation, handles to it go stale. */
void drop_crate(struct linker *l, uint32_t id, bool new_generation);

/* The loaded crate with this id, or NULL. */
const struct loaded_crate *linker_crate(const struct linker *l, uint32_t crate_id);
/* Name of symbol `index` of a loaded crate ("" if out of range). */
const char *linker_symbol_name(const struct loaded_crate *c, uint32_t index);

#endif
