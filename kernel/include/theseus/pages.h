/* Trusted header: the nano-core's page primitives, for the memory crate.
 *
 * The frame allocator and the page tables stay in the nano-core: the runtime
 * linker needs both before any crate exists (the paper's nano-core keeps the
 * early memory). The memory crate (crates/memory/) is the policy and
 * ownership layer on top: it chooses addresses in the mapping region, keeps
 * the record of who holds what, and hands out owned handles. Everything else
 * goes through the memory crate, never through these calls.
 *
 * The primitives are deliberately narrow: a page can only be backed by a
 * fresh, zeroed frame of the nano-core's choosing (never a caller-chosen
 * physical address), only inside the mapping region, never executable; and
 * the one place an address turns into a usable view of memory is
 * kernel_pages_map, which hands the view to the caller that mapped it.
 *
 * The addresses these calls take are numbers inside the mapping region,
 * checked against it and against what is mapped, never dereferenced as
 * given; still, whoever calls them decides which memory backs which
 * address for everyone, so they are restricted operations
 * (theseus/restricted.h): only the memory crate is named for them. */
#ifndef THESEUS_MEMORY_API_H
#define THESEUS_MEMORY_API_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define KERNEL_PAGE_SIZE 4096ull

/* The mapping region: PML4 slot 384, apart from the nano-core (-2 GiB), the
 * crate code (top GiB) and the physical map (slot 256). It holds data only,
 * so it need not be within reach of 32-bit relocations. 64 GiB of address
 * space; frames, not addresses, are the scarce resource. */
#define KERNEL_MAPPING_REGION_BASE 0xFFFFC00000000000ull
#define KERNEL_MAPPING_REGION_SIZE (64ull << 30)

enum kernel_page_perm {
	KERNEL_PAGES_READ,       /* read only, no execute */
	KERNEL_PAGES_READ_WRITE, /* read and write, no execute */
};

RESULT_TYPE(kernel_pages_result, struct bytes);

/* Back [va, va + pages * 4 KiB) with fresh zeroed frames, all or nothing,
 * and return the view of those bytes. E_INVAL: not page-aligned, empty, or
 * not inside the mapping region; E_EXIST: a page there is already mapped;
 * E_NOMEM: not enough frames (nothing is left mapped). */
RESTRICTED_OPERATION struct kernel_pages_result kernel_pages_map(uint64_t va, size_t pages,
								enum kernel_page_perm perm);

/* Unmap every page of the range and free its frame. E_NOENT when some page
 * was not mapped (the others are still unmapped). */
RESTRICTED_OPERATION struct status kernel_pages_unmap(uint64_t va, size_t pages);

/* Change the permissions of every page of the range (all must be mapped). */
RESTRICTED_OPERATION struct status kernel_pages_protect(uint64_t va, size_t pages,
							 enum kernel_page_perm perm);

/* Unmap whatever is mapped anywhere in the mapping region and free the
 * frames; returns how many pages that was. A freshly loaded memory crate
 * calls it, because an earlier instance that was unloaded left no record of
 * what it had mapped. */
RESTRICTED_OPERATION uint64_t kernel_mapping_region_reset(void);

struct kernel_frame_counts {
	uint64_t total;       /* frames the allocator manages */
	uint64_t free;        /* of those, free now */
	uint64_t page_tables; /* of those, page tables (kept once made) */
};
struct kernel_frame_counts kernel_frame_counts(void);

#endif
