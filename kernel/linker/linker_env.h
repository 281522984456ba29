/* What the runtime linker core needs from its host, and nothing more.
 *
 * The core is freestanding C: it builds into the nano-core and into host
 * test programs.  Every effect on the machine (memory, page permissions,
 * logging, time, running crate code) goes through `struct linker_env`,
 * which the caller fills in.  In the kernel the writable pointer and the
 * virtual address of a region are equal; in host tests they differ, so the
 * core can relocate code for kernel addresses while writing host buffers.
 */
#ifndef THESEUS_LINKER_ENV_H
#define THESEUS_LINKER_ENV_H

#include <stddef.h>
#include <stdint.h>
#include <theseus/result.h>

/* The only library functions the core calls; the host provides them. */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int strcmp(const char *a, const char *b);
size_t strlen(const char *s);

/* Final permissions of a region (W^X): the env maps them. */
enum region_kind {
	REGION_TEXT,   /* read + execute */
	REGION_RODATA, /* read only (also the per-crate GOT, after linking) */
	REGION_DATA,   /* read + write, no execute */
	REGION_BSS,    /* read + write, no execute, zero-filled by the core */
	REGION_KIND_COUNT
};

/* One block of crate memory.  Filled by env->alloc_region; the core never
 * changes `write`, `vaddr`, `size` or `cookie`. */
struct linker_region {
	uint8_t *write;   /* where the core writes the bytes now (writable) */
	uint64_t vaddr;   /* where the code will run */
	uint64_t size;    /* bytes, as requested */
	enum region_kind kind;
	void *cookie;     /* the env's own handle */
};

/* What happened to a crate's memory, for a debugger (crate_event). */
enum linker_crate_event {
	LINKER_CRATE_MAPPED,   /* placed, linked and protected; its init has not run yet */
	LINKER_CRATE_UNMAPPED, /* its memory is about to be returned (unload, rollback) */
};

struct linker_env {
	void *ctx; /* passed back to every callback */

	/* Writable memory of `size` bytes (> 0), vaddr aligned to `align`
	 * (a power of two, <= 4096), within +-2 GiB of the nano-core. */
	struct status (*alloc_region)(void *ctx, uint64_t size, uint64_t align,
	                              enum region_kind kind,
	                              struct linker_region *out);
	/* Apply the final permissions of region->kind. */
	struct status (*protect_region)(void *ctx, const struct linker_region *region);
	void (*free_region)(void *ctx, const struct linker_region *region);

	/* Bookkeeping memory (records, tables): never mapped for crates.
	 * Returns NULL when out of memory.  The core zeroes what it needs. */
	void *(*alloc_meta)(void *ctx, size_t size);
	void (*free_meta)(void *ctx, void *ptr, size_t size);

	/* One log line given as string pieces (no format strings). May be NULL. */
	void (*log)(void *ctx, const char *const *pieces, size_t count);
	/* A monotonic counter (cycles or ns) for load timing. May be NULL. */
	uint64_t (*now)(void *ctx);

	/* The nano-core's own export table: nonzero and *address set when
	 * `name` is a nano-core export.  May be NULL (no nano-core exports). */
	int (*kernel_symbol)(void *ctx, const char *name, uint64_t *address);

	/* Write n bytes at run address vaddr inside a crate region whose
	 * final permissions are already applied (text is read-only by then):
	 * how a live swap re-points relocations. May be NULL: no swaps. */
	struct status (*patch)(void *ctx, uint64_t vaddr, const uint8_t *bytes, size_t n);

	/* Run a crate's init `struct status NAME(void)` at `address`; the
	 * kernel does it under fault protection.  May be NULL: inits are
	 * then not run (host tests that only relocate). */
	struct status (*call_init)(void *ctx, uint64_t address);

	/* A crate's memory was mapped or is about to be unmapped: what the
	 * nano-core's debugger rendezvous follows (docs/debugging.md). On
	 * MAPPED, linker_for_each_section already sees the crate. May be
	 * NULL. */
	void (*crate_event)(void *ctx, enum linker_crate_event event, uint32_t crate_id,
	                    uint32_t generation);
};

#endif
