/* Host env for the linker core: see host_env.h. */
#define _GNU_SOURCE
#include "host_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PAGE 4096u

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

static int fail_now(struct host_env *h)
{
	if (h->fail_alloc_countdown <= 0)
		return 0;
	return --h->fail_alloc_countdown == 0;
}

static struct status alloc_region(void *ctx, uint64_t size, uint64_t align,
                                  enum region_kind kind, struct linker_region *out)
{
	struct host_env *h = ctx;
	if (size == 0 || align == 0 || (align & (align - 1)) || align > PAGE)
		return STATUS(E_INVAL);
	if ((h->region_limit && size > h->region_limit) || fail_now(h))
		return STATUS(E_NOMEM);
	/* Regions start on pages, as the kernel maps them. */
	uint64_t vaddr = round_up(h->next, PAGE);
	uint64_t span = round_up(size, PAGE);
	struct host_region *r = malloc(sizeof(*r));
	if (!r)
		return STATUS(E_NOMEM);
	if (h->identity) {
		if (vaddr + span > h->base + h->arena_size) {
			free(r);
			return STATUS(E_NOMEM);
		}
		r->buffer = h->arena + (vaddr - h->base);
		if (mprotect(r->buffer, span, PROT_READ | PROT_WRITE)) {
			free(r);
			return STATUS(E_FAULT);
		}
	} else {
		/* Exactly `size` bytes: ASan catches any write past the region. */
		r->buffer = malloc(size);
		if (!r->buffer) {
			free(r);
			return STATUS(E_NOMEM);
		}
	}
	r->size = size;
	r->vaddr = vaddr;
	r->kind = kind;
	r->protected_ = 0;
	r->next = h->regions;
	h->regions = r;
	h->next = vaddr + span;
	h->live_regions++;
	h->total_region_allocs++;
	*out = (struct linker_region){r->buffer, vaddr, size, kind, r};
	return STATUS_OK;
}

static int final_prot(enum region_kind kind)
{
	int prot = PROT_READ;
	if (kind == REGION_TEXT)
		prot |= PROT_EXEC;
	else if (kind == REGION_DATA || kind == REGION_BSS)
		prot |= PROT_WRITE;
	return prot;
}

static struct status protect_region(void *ctx, const struct linker_region *region)
{
	struct host_env *h = ctx;
	h->protects[region->kind]++;
	((struct host_region *)region->cookie)->protected_ = 1;
	if (!h->identity)
		return STATUS_OK;
	if (mprotect(region->write, round_up(region->size, PAGE), final_prot(region->kind)))
		return STATUS(E_FAULT);
	return STATUS_OK;
}

/* Write into a protected region as a swap does: lift the protection of
 * the pages concerned for the write only (identity mode). */
static struct status patch(void *ctx, uint64_t vaddr, const uint8_t *bytes, size_t n)
{
	struct host_env *h = ctx;
	for (struct host_region *r = h->regions; r; r = r->next) {
		if (vaddr < r->vaddr || vaddr + n > r->vaddr + r->size)
			continue;
		uint8_t *at = r->buffer + (vaddr - r->vaddr);
		if (h->identity) {
			uint8_t *page = (uint8_t *)((uintptr_t)at & ~(uintptr_t)(PAGE - 1));
			size_t span = round_up((size_t)(at + n - page), PAGE);
			if (mprotect(page, span, PROT_READ | PROT_WRITE))
				return STATUS(E_FAULT);
			memcpy(at, bytes, n);
			if (r->protected_ && mprotect(page, span, final_prot(r->kind)))
				return STATUS(E_FAULT);
		} else {
			memcpy(at, bytes, n);
		}
		h->patches++;
		return STATUS_OK;
	}
	return STATUS(E_INVAL);
}

static void free_region(void *ctx, const struct linker_region *region)
{
	struct host_env *h = ctx;
	struct host_region *r = region->cookie;
	for (struct host_region **p = &h->regions; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	if (h->identity)
		(void)mprotect(r->buffer, round_up(r->size, PAGE), PROT_NONE);
	else
		free(r->buffer);
	free(r);
	h->live_regions--;
}

static void *alloc_meta(void *ctx, size_t size)
{
	struct host_env *h = ctx;
	if (fail_now(h))
		return NULL;
	void *p = malloc(size);
	if (p) {
		h->live_meta++;
		h->live_meta_bytes += size;
	}
	return p;
}

static void free_meta(void *ctx, void *ptr, size_t size)
{
	struct host_env *h = ctx;
	free(ptr);
	h->live_meta--;
	h->live_meta_bytes -= size;
}

static void log_line(void *ctx, const char *const *pieces, size_t count)
{
	struct host_env *h = ctx;
	h->last_log[0] = 0;
	for (size_t i = 0; i < count; i++)
		strncat(h->last_log, pieces[i], sizeof(h->last_log) - strlen(h->last_log) - 1);
	if (!h->quiet)
		printf("# %s\n", h->last_log);
}

static int kernel_symbol(void *ctx, const char *name, uint64_t *address)
{
	struct host_env *h = ctx;
	if (h->ksyms) {
		for (const struct host_ksym *k = h->ksyms; k->name; k++)
			if (strcmp(k->name, name) == 0) {
				*address = k->address;
				return 1;
			}
		return 0;
	}
	return h->ksym_archive && archive_kexport_lookup(h->ksym_archive, name, address);
}

static struct status call_init(void *ctx, uint64_t address)
{
	struct host_env *h = ctx;
	if (h->init_count < 64)
		h->init_calls[h->init_count] = address;
	h->init_count++;
	if (h->run_inits) {
		struct status (*init)(void) = (struct status (*)(void))(uintptr_t)address;
		return init();
	}
	return h->fake_init ? h->fake_init(address) : STATUS_OK;
}

static uint64_t now(void *ctx)
{
	(void)ctx;
	return __builtin_ia32_rdtsc();
}

void host_env_bind(struct host_env *h, struct linker_env *env)
{
	if (!h->next)
		h->next = h->base;
	*env = (struct linker_env){
		.ctx = h,
		.alloc_region = alloc_region,
		.protect_region = protect_region,
		.free_region = free_region,
		.alloc_meta = alloc_meta,
		.free_meta = free_meta,
		.log = log_line,
		.now = now,
		.kernel_symbol = kernel_symbol,
		.call_init = call_init,
		.patch = patch,
	};
}

int host_env_map_arena(struct host_env *h, uint64_t address, uint64_t size)
{
	void *p = mmap((void *)(uintptr_t)address, size, PROT_NONE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || (uint64_t)(uintptr_t)p != address)
		return -1;
	h->identity = 1;
	h->arena = p;
	h->arena_size = size;
	h->base = h->next = address;
	return 0;
}

void host_env_unmap_arena(struct host_env *h)
{
	if (h->arena)
		munmap(h->arena, h->arena_size);
	h->arena = NULL;
}
