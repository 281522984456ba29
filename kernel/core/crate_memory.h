/* Virtual space and pages of the crate region, for the runtime linker. */
#ifndef THESEUS_CRATE_MEMORY_H
#define THESEUS_CRATE_MEMORY_H

#include "kernel.h"
#include "paging.h"

/* Reserve `pages` pages of crate-region address space, back them with
 * fresh zeroed frames mapped read+write. Returns the address or 0. */
uint64_t crate_memory_alloc(uint64_t pages);
/* Set the permissions of every page of [va, va + pages * 4 KiB). */
struct status crate_memory_protect(uint64_t va, uint64_t pages, enum page_perm perm);
/* Unmap the pages, free their frames and the address space. */
void crate_memory_free(uint64_t va, uint64_t pages);
uint64_t crate_memory_pages_in_use(void);

/* Map `pages` pages of existing physical memory from `pa` (page-aligned)
 * read-only into crate-region address space; returns the address or 0.
 * For boot modules the boot window does not reach (above 1 GiB). */
uint64_t crate_memory_map_phys(uint64_t pa, uint64_t pages);

#endif
