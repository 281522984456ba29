/* heap: the kernel heap, on top of the memory crate.
 *
 * Allocation itself is typed and goes through the trusted header
 * theseus/alloc.h (HEAP_NEW, HEAP_FREE, HEAP_NEW_ARRAY, heap_new_bytes),
 * which this header includes at its end: include either. Here: the two
 * untyped calls those are built on, accounting per owner, limits, and
 * releasing everything an owner still has.
 *
 * Blocks of up to HEAP_MAX_SMALL bytes come from size classes (16, 32, ...,
 * 2048 bytes), each served from slabs of HEAP_SLAB_BYTES that belong to one
 * owner; anything larger is a mapping of its own. See docs/memory.md. */
#ifndef CRATE_HEAP_H
#define CRATE_HEAP_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define HEAP_MAX_SMALL 2048u
#define HEAP_SLAB_BYTES (16u * 1024u)
#define HEAP_ALL_OWNERS UINT32_MAX /* heap_stats: every owner together */
#define HEAP_OWNER_KERNEL 0u

RESULT_TYPE(heap_block_result, struct bytes);

/* `size` zeroed bytes aligned to `align` (a power of two, at most 4096)
 * for `owner`; the view is exactly `size` bytes long. Crate code uses the
 * typed macros of theseus/alloc.h instead. */
struct heap_block_result heap_alloc(size_t size, size_t align, uint32_t owner);
/* Give a block back; `size` is what was asked for (or less, never more
 * than the block holds). E_INVAL: not a live block of this heap. */
struct status heap_free(const void *block, size_t size);

struct heap_stats {
	uint64_t bytes_in_use; /* held by live objects (a request rounded up to
	                          its size class, or to whole pages if large) */
	uint64_t peak_bytes;   /* the most bytes_in_use has been */
	uint64_t objects;      /* live objects */
	uint64_t slab_bytes;   /* bytes of the mappings behind them */
	uint64_t failed;       /* allocations refused with E_NOMEM */
	uint64_t limit;        /* the owner's limit on bytes_in_use; 0: none */
	uint64_t owners;       /* owners with something on the heap */
};

/* Figures for one owner (zeros for one the heap does not know), or for all
 * with HEAP_ALL_OWNERS. What the shell's `mem` command prints. */
struct heap_stats heap_stats(uint32_t owner);

/* Free every object `owner` still has and give its slabs back. E_PERM for
 * HEAP_OWNER_KERNEL. An owner with nothing on the heap is not an error. */
struct status heap_release_owner(uint32_t owner);

/* Cap what `owner` may hold (bytes_in_use), 0 for no cap: past it,
 * allocations for that owner fail with E_NOMEM and nothing else is
 * affected. Lowering it below what is held frees nothing. */
struct status heap_set_limit(uint32_t owner, uint64_t bytes);

/* The typed macros, built on the two calls above. */
#include <theseus/alloc.h>

#endif
