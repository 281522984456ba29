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

/* Resolve c's symbols, build its GOT, apply and record its relocations. */
struct status link_crate(struct linker *l, struct loaded_crate *c,
                         struct link_error *err);

/* Load crate `id` (ABSENT) and its providers, all or nothing. */
struct status run_request(struct linker *l, uint32_t id, const char *reason_symbol,
                          struct link_error *err);

#endif
