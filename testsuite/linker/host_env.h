/* A host implementation of the linker env for tests and the fuzzer.
 *
 * Two placement modes:
 *  - shadow: crate memory is malloc'd host memory, but the linker is told
 *    run addresses from a bump allocator starting at `base` (kernel-like
 *    0xffffffffc0000000), so code is relocated for the kernel while the
 *    bytes land in host buffers (the ld.lld oracle compares them);
 *  - identity: an mmap'd arena below 2 GiB, write == run address, and
 *    protect applies real W^X with mprotect (link-and-call).
 * It counts live allocations so tests can check that rollback and unload
 * return everything.
 */
#ifndef THESEUS_HOST_ENV_H
#define THESEUS_HOST_ENV_H

#include <stdint.h>
#include <stddef.h>
#include "linker/linker_internal.h" /* the linker's own tests see its records */

struct host_ksym {
	const char *name;
	uint64_t address;
};

struct host_env {
	/* placement */
	int identity;
	uint64_t base;        /* first run address handed out */
	uint64_t next;        /* next free run address */
	uint8_t *arena;       /* identity mode: mapped at `base` */
	uint64_t arena_size;
	uint64_t region_limit; /* refuse regions larger than this */
	/* accounting */
	long live_regions;
	long live_meta;
	uint64_t live_meta_bytes;
	long total_region_allocs;
	long protects[REGION_KIND_COUNT];
	long fail_alloc_countdown; /* > 0: that many allocs succeed, then fail */
	/* nano-core exports: the table, else the archive's copy */
	const struct host_ksym *ksyms;
	const struct archive *ksym_archive;
	/* inits: run them for real (identity mode) or just record them */
	int run_inits;
	uint64_t init_calls[64];
	int init_count;
	struct status (*fake_init)(uint64_t address); /* record mode result */
	int quiet;
	char last_log[256];
	struct host_region *regions; /* live regions */
	long patches;                /* patch() calls */
};

/* Fill `env` with callbacks into `h` (which the caller zeroed and set up). */
void host_env_bind(struct host_env *h, struct linker_env *env);
/* Identity mode: map `size` bytes at `address` (MAP_FIXED_NOREPLACE). */
int host_env_map_arena(struct host_env *h, uint64_t address, uint64_t size);
void host_env_unmap_arena(struct host_env *h);

/* Region bookkeeping the env keeps for every live region. */
struct host_region {
	uint8_t *buffer;
	uint64_t size;
	uint64_t vaddr;
	enum region_kind kind;
	int protected_;            /* final permissions applied */
	struct host_region *next;  /* live regions, for patch() */
};

#endif
