/* One bit per page of the crate region: set = address space in use. A
 * freed range is reused, so loading and unloading crates forever does not
 * run out of address space. */
#include "crate_memory.h"
#include "frames.h"

#define REGION_PAGES (CRATE_REGION_SIZE / PAGE_SIZE)

static uint64_t used[REGION_PAGES / 64];
static uint64_t pages_in_use;

static bool page_used(uint64_t i) { return used[i / 64] & (1ull << (i % 64)); }
static void page_mark(uint64_t i, bool on)
{
	if (on)
		used[i / 64] |= 1ull << (i % 64);
	else
		used[i / 64] &= ~(1ull << (i % 64));
}

static uint64_t find_free_run(uint64_t pages)
{
	uint64_t run = 0;
	for (uint64_t i = 0; i < REGION_PAGES; i++) {
		if (used[i / 64] == ~0ull && i % 64 == 0) {
			run = 0;
			i += 63;
			continue;
		}
		run = page_used(i) ? 0 : run + 1;
		if (run == pages)
			return i + 1 - pages;
	}
	return REGION_PAGES;
}

void crate_memory_free(uint64_t va, uint64_t pages)
{
	for (uint64_t p = 0; p < pages; p++) {
		uint64_t page_va = va + p * PAGE_SIZE;
		uint64_t pa = paging_unmap(page_va);
		if (pa)
			(void)frames_free(pa);
		uint64_t i = (page_va - CRATE_REGION_BASE) / PAGE_SIZE;
		if (page_used(i)) {
			page_mark(i, false);
			pages_in_use--;
		}
	}
}

uint64_t crate_memory_alloc(uint64_t pages)
{
	if (pages == 0 || pages > REGION_PAGES)
		return 0;
	uint64_t first = find_free_run(pages);
	if (first == REGION_PAGES)
		return 0;
	uint64_t va = CRATE_REGION_BASE + first * PAGE_SIZE;
	for (uint64_t p = 0; p < pages; p++) {
		page_mark(first + p, true);
		pages_in_use++;
	}
	for (uint64_t p = 0; p < pages; p++) {
		struct frame_result f = frames_alloc();
		if (f.err != E_OK || !status_ok(paging_map(va + p * PAGE_SIZE, f.value, PAGE_WRITE))) {
			if (f.err == E_OK)
				(void)frames_free(f.value);
			crate_memory_free(va, pages);
			return 0;
		}
		memset(phys_to_virt(f.value), 0, PAGE_SIZE);
	}
	return va;
}

struct status crate_memory_protect(uint64_t va, uint64_t pages, enum page_perm perm)
{
	for (uint64_t p = 0; p < pages; p++) {
		struct status s = paging_protect(va + p * PAGE_SIZE, perm);
		if (!status_ok(s))
			return s;
	}
	return STATUS_OK;
}

uint64_t crate_memory_pages_in_use(void) { return pages_in_use; }

uint64_t crate_memory_map_phys(uint64_t pa, uint64_t pages)
{
	if (pages == 0 || pages > REGION_PAGES || pa % PAGE_SIZE)
		return 0;
	uint64_t first = find_free_run(pages);
	if (first == REGION_PAGES)
		return 0;
	uint64_t va = CRATE_REGION_BASE + first * PAGE_SIZE;
	for (uint64_t p = 0; p < pages; p++) {
		page_mark(first + p, true);
		pages_in_use++;
		if (!status_ok(paging_map(va + p * PAGE_SIZE, pa + p * PAGE_SIZE, PAGE_READ))) {
			/* Unmap what was mapped; these frames are not ours to free. */
			for (uint64_t q = 0; q <= p; q++) {
				(void)paging_unmap(va + q * PAGE_SIZE);
				page_mark(first + q, false);
				pages_in_use--;
			}
			return 0;
		}
	}
	return va;
}
