/* memory: owned page mappings.
 *
 * A mapping is an owned handle. memory_map returns it by value; whoever
 * holds it is the only one who can reach the pages (memory_bytes), change
 * their permissions (memory_remap) or give them back (memory_unmap). The
 * handle is sealed: other crates can keep and pass it, not forge or edit it.
 * Unmapping invalidates the handle, so a second unmap is an error, never a
 * double free; a copy made before the unmap is recognised as stale.
 *
 * Every mapping also has an owner, a number used for accounting and
 * clean-up: the task id of the task it was made for, or MEMORY_OWNER_KERNEL.
 * When a task ends, the task crate calls memory_release_owner(id), which
 * unmaps whatever that task still held. The kernel's own mappings are never
 * released that way.
 *
 * Pages are 4 KiB, zeroed when mapped, never executable. Each mapping has an
 * unmapped guard page just below it, so running off the bottom (as a stack
 * does when it overflows) faults instead of reaching a neighbour.
 * See docs/memory.md. */
#ifndef CRATE_MEMORY_H
#define CRATE_MEMORY_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/sealed.h>
#include <theseus/slice.h>

#define MEMORY_PAGE_SIZE 4096u
/* Owner numbers other than task ids. */
#define MEMORY_OWNER_KERNEL 0u
#define MEMORY_OWNER_HEAP 0xFFFFFFFEu /* the heap crate's slabs */
#define MEMORY_ALL_OWNERS UINT32_MAX  /* memory_stats: every owner together */
/* Live mappings the memory crate can keep track of at once. */
#define MEMORY_MAX_MAPPINGS 2048u

enum memory_perm {
	MEMORY_READ,       /* read only */
	MEMORY_READ_WRITE, /* read and write */
};

/* The owned handle. Fields are the memory crate's alone. */
struct SEALED mapping {
	struct bytes pages; /* the mapped bytes; empty once the handle is dead */
	uint64_t base;      /* address of the first page */
	uint64_t id;        /* serial of the record behind it; 0: no mapping */
};

RESULT_TYPE(mapping_result, struct mapping);

/* `pages` zeroed pages for `owner`. E_INVAL: no pages or a bad perm;
 * E_NOMEM: not enough frames, address space or records (nothing is left
 * mapped). */
struct mapping_result memory_map(size_t pages, enum memory_perm perm, uint32_t owner);

/* As memory_map, read and write, with the first page at an address that is
 * a multiple of align_pages pages (a power of two). The heap crate uses it
 * to find a slab from an object's address. */
struct mapping_result memory_map_aligned(size_t pages, size_t align_pages, enum memory_perm perm, uint32_t owner);

/* A read-write stack of `pages` pages for `owner` (kernel_context_init
 * takes memory_bytes of it). The page below it is never mapped: touching it
 * faults, which is how a stack overflow shows. */
struct mapping_result memory_map_stack(size_t pages, uint32_t owner);

/* Unmap the pages, free their frames and invalidate *m. E_INVAL: *m is no
 * live handle (e.g. already unmapped through it); E_STALE: the mapping is
 * gone already (a copy was unmapped, or its owner was released) - *m is
 * invalidated too. */
struct status memory_unmap(struct mapping *m);

/* New permissions for every page (a write to a read-only page faults).
 * E_INVAL / E_STALE as for memory_unmap. */
struct status memory_remap(struct mapping *m, enum memory_perm perm);

/* The bytes of a live mapping; an empty view for a dead or stale handle. */
struct bytes memory_bytes(const struct mapping *m);

struct memory_mapping_info {
	size_t pages;
	enum memory_perm perm;
	uint32_t owner;
	bool stack;
};
RESULT_TYPE(memory_info_result, struct memory_mapping_info);
/* What the handle maps; E_INVAL / E_STALE as for memory_unmap. */
struct memory_info_result memory_info(const struct mapping *m);

/* Unmap every mapping `owner` still holds; their handles become stale.
 * E_PERM for MEMORY_OWNER_KERNEL (never released). An owner that holds
 * nothing is not an error. Only the heap crate releases
 * MEMORY_OWNER_HEAP: when it starts, what an unloaded instance left. */
struct status memory_release_owner(uint32_t owner);

struct memory_stats {
	uint64_t frames_total;  /* physical frames the nano-core manages */
	uint64_t frames_free;   /* of those, free now */
	uint64_t page_table_frames; /* of those, page tables (never freed) */
	uint64_t mappings;      /* live mappings (of the owner asked about) */
	uint64_t pages_mapped;  /* their pages, guard pages not counted */
	uint64_t stack_pages;   /* of those, stack pages */
	uint64_t mapping_slots; /* MEMORY_MAX_MAPPINGS: how many can exist */
};
/* Figures for one owner, or for all with MEMORY_ALL_OWNERS (frames are
 * always machine-wide). What the shell's `mem` command prints. */
struct memory_stats memory_stats(uint32_t owner);

/* Live-update hooks (called by the nano-core's swap, not by clients): the
 * registry goes through the swap's handover (theseus/crates.h) to the next
 * instance, which checks it before taking it. Outside a swap they change
 * nothing: save is E_INVAL, migrate E_NOENT. */
struct status memory_save(void);
struct status memory_migrate(uint32_t from_major);

#endif
