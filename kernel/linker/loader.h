/* Internal interfaces between loader.c, reloc.c and linker.c. */
#ifndef THESEUS_LINKER_LOADER_H
#define THESEUS_LINKER_LOADER_H

#include "linker_internal.h"

/* Zeroed bookkeeping array; NULL when count is 0, on overflow or OOM. */
void *meta_alloc_array(struct linker *l, uint64_t count, uint64_t elem);
void meta_free_array(struct linker *l, void *p, uint64_t count, uint64_t elem);

void crate_free(struct linker *l, struct loaded_crate *c);
void remove_reverse_edges(struct linker *l, uint32_t from);
void crate_view(const struct loaded_crate *c, struct elf_view *v);

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

/* Resolve c's symbols, build its GOT, apply and record its relocations. */
struct status link_crate(struct linker *l, struct loaded_crate *c,
                         struct link_error *err);

/* Crate `id`'s archive entry and CRC-checked ELF image, from the boot
 * archive or its pushed archive (pushed.c). */
bool slot_entry(const struct linker *l, uint32_t id, struct archive_crate *out);
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

/* Load crate `id` (ABSENT) and its providers, all or nothing. */
struct status run_request(struct linker *l, uint32_t id, const char *reason_symbol,
                          struct link_error *err);

#endif
