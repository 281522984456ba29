/* Owned page mappings over the nano-core's frames and page tables.
 *
 * The nano-core backs pages with frames and edits the page tables
 * (theseus/pages.h); this crate decides where in the mapping region each
 * mapping goes, remembers who holds it, and checks every handle it is given
 * against that record. Interrupts are off while the registry is touched:
 * tasks are preempted on the timer and all of them share it. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/pages.h>
#include "memory.h"

CRATE("memory", "1.0.0", "owned page mappings: map, remap, unmap, guard pages, release per owner", "memory_init",
      "", "");

#define PAGE KERNEL_PAGE_SIZE
#define REGION_PAGES (KERNEL_MAPPING_REGION_SIZE / PAGE)
#define REGION_END (KERNEL_MAPPING_REGION_BASE + KERNEL_MAPPING_REGION_SIZE)
#define GUARD_BYTES PAGE /* below every mapping, never mapped */

/* One live mapping. Its address range, guard page included, is
 * [base - GUARD_BYTES, base + pages * PAGE). */
struct record {
	uint64_t base;
	uint64_t id; /* from next_id, never reused: tells a live handle from a stale copy */
	uint32_t owner;
	uint32_t pages : 28; /* the region holds 2^24 pages */
	uint32_t read_only : 1;
	uint32_t stack : 1;
};

/* The registry of live mappings, sorted by base: the gaps between records
 * are the free address space (first fit), and a handle's record is found by
 * binary search. This is state the crate cannot push to its clients: the
 * address space is shared, and memory_release_owner must find what an ended
 * task still held. Its size is fixed, so the crate never needs memory to
 * keep track of memory. */
static struct {
	struct record records[MEMORY_MAX_MAPPINGS];
	size_t count;
	uint64_t next_id;
} reg;

static const struct bytes no_bytes = {};

static bool perm_ok(enum memory_perm perm) { return perm == MEMORY_READ || perm == MEMORY_READ_WRITE; }

static enum kernel_page_perm kernel_perm(enum memory_perm perm)
{
	return perm == MEMORY_READ ? KERNEL_PAGES_READ : KERNEL_PAGES_READ_WRITE;
}

static uint64_t record_end(const struct record *r) { return r->base + (uint64_t)r->pages * PAGE; }

/* Index of the first record whose base is >= base. */
static size_t lower_bound(uint64_t base)
{
	size_t lo = 0, hi = reg.count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (reg.records[mid].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The record behind a handle: E_INVAL for a dead handle, E_STALE when the
 * mapping it named is gone. */
RESULT_TYPE(index_result, size_t);
static struct index_result live_index(const struct mapping *m)
{
	if (!m || m->id == 0)
		return (struct index_result){E_INVAL, 0};
	size_t i = lower_bound(m->base);
	if (i == reg.count || reg.records[i].base != m->base || reg.records[i].id != m->id)
		return (struct index_result){E_STALE, 0};
	return (struct index_result){E_OK, i};
}

static void invalidate(struct mapping *m)
{
	m->pages = no_bytes;
	m->base = 0;
	m->id = 0;
}

static void remove_record(size_t i)
{
	for (size_t j = i; j + 1 < reg.count; j++)
		*ARRAY_AT(reg.records, j) = *ARRAY_AT(reg.records, j + 1);
	reg.count--;
}

struct gap {
	bool found;
	size_t index; /* where the new record goes */
	uint64_t base;
};

/* First fit: the lowest address where `pages` pages aligned to `align`
 * bytes fit with their guard page below, in the gaps between records. */
static struct gap find_gap(uint64_t pages, uint64_t align)
{
	uint64_t start = KERNEL_MAPPING_REGION_BASE; /* lowest free address */
	for (size_t i = 0; i <= reg.count; i++) {
		uint64_t gap_end = i < reg.count ? reg.records[i].base - GUARD_BYTES : REGION_END;
		uint64_t base = (start + GUARD_BYTES + align - 1) & ~(align - 1);
		if (base < gap_end && pages <= (gap_end - base) / PAGE)
			return (struct gap){true, i, base};
		if (i < reg.count)
			start = record_end(ARRAY_AT(reg.records, i));
	}
	return (struct gap){false, 0, 0};
}

static struct mapping_result map_pages(size_t pages, size_t align_pages, enum memory_perm perm, uint32_t owner,
				       bool stack)
{
	struct mapping_result out = {E_INVAL, {no_bytes, 0, 0}};
	if (pages == 0 || !perm_ok(perm) || align_pages == 0 || (align_pages & (align_pages - 1)) ||
	    align_pages > REGION_PAGES)
		return out;
	out.err = E_NOMEM;
	if (pages > REGION_PAGES)
		return out;

	bool irq = cpu_irq_save();
	struct gap g = reg.count < MEMORY_MAX_MAPPINGS ? find_gap(pages, align_pages * PAGE) : (struct gap){};
	if (g.found) {
		struct kernel_pages_result r = kernel_pages_map(g.base, pages, kernel_perm(perm));
		out.err = r.err;
		if (r.err == E_OK) {
			for (size_t j = reg.count; j > g.index; j--)
				*ARRAY_AT(reg.records, j) = *ARRAY_AT(reg.records, j - 1);
			reg.count++;
			uint64_t id = ++reg.next_id;
			*ARRAY_AT(reg.records, g.index) = (struct record){
				.base = g.base,
				.id = id,
				.owner = owner,
				.pages = (uint32_t)pages,
				.read_only = perm == MEMORY_READ,
				.stack = stack,
			};
			out.value = (struct mapping){r.value, g.base, id};
		}
	}
	cpu_irq_restore(irq);
	return out;
}

CRATE_EXPORT struct mapping_result memory_map(size_t pages, enum memory_perm perm, uint32_t owner)
{
	return map_pages(pages, 1, perm, owner, false);
}

CRATE_EXPORT struct mapping_result memory_map_aligned(size_t pages, size_t align_pages, enum memory_perm perm,
						      uint32_t owner)
{
	return map_pages(pages, align_pages, perm, owner, false);
}

CRATE_EXPORT struct mapping_result memory_map_stack(size_t pages, uint32_t owner)
{
	return map_pages(pages, 1, MEMORY_READ_WRITE, owner, true);
}

CRATE_EXPORT struct status memory_unmap(struct mapping *m)
{
	bool irq = cpu_irq_save();
	struct index_result at = live_index(m);
	struct status s = STATUS(at.err);
	if (at.err == E_OK) {
		const struct record *r = ARRAY_AT(reg.records, at.value);
		s = kernel_pages_unmap(r->base, r->pages);
		remove_record(at.value);
	}
	if (at.err != E_INVAL)
		invalidate(m);
	cpu_irq_restore(irq);
	return s;
}

CRATE_EXPORT struct status memory_remap(struct mapping *m, enum memory_perm perm)
{
	if (!perm_ok(perm))
		return STATUS(E_INVAL);
	bool irq = cpu_irq_save();
	struct index_result at = live_index(m);
	struct status s = STATUS(at.err);
	if (at.err == E_OK) {
		struct record *r = ARRAY_AT(reg.records, at.value);
		s = kernel_pages_protect(r->base, r->pages, kernel_perm(perm));
		if (status_ok(s))
			r->read_only = perm == MEMORY_READ;
	}
	cpu_irq_restore(irq);
	return s;
}

CRATE_EXPORT struct bytes memory_bytes(const struct mapping *m)
{
	bool irq = cpu_irq_save();
	bool live = live_index(m).err == E_OK;
	cpu_irq_restore(irq);
	return live ? m->pages : no_bytes;
}

CRATE_EXPORT struct memory_info_result memory_info(const struct mapping *m)
{
	struct memory_info_result out = {E_OK, {0, MEMORY_READ, 0, false}};
	bool irq = cpu_irq_save();
	struct index_result at = live_index(m);
	out.err = at.err;
	if (at.err == E_OK) {
		const struct record *r = ARRAY_AT(reg.records, at.value);
		out.value = (struct memory_mapping_info){r->pages, r->read_only ? MEMORY_READ : MEMORY_READ_WRITE,
							 r->owner, r->stack};
	}
	cpu_irq_restore(irq);
	return out;
}

CRATE_EXPORT struct status memory_release_owner(uint32_t owner)
{
	if (owner == MEMORY_OWNER_KERNEL)
		return STATUS(E_PERM);
	struct status result = STATUS_OK;
	bool irq = cpu_irq_save();
	size_t kept = 0;
	for (size_t i = 0; i < reg.count; i++) {
		const struct record *r = ARRAY_AT(reg.records, i);
		if (r->owner != owner) {
			*ARRAY_AT(reg.records, kept++) = *r;
			continue;
		}
		struct status s = kernel_pages_unmap(r->base, r->pages);
		if (!status_ok(s))
			result = s; /* gone already: still forgotten, but say so */
	}
	reg.count = kept;
	cpu_irq_restore(irq);
	return result;
}

CRATE_EXPORT struct memory_stats memory_stats(uint32_t owner)
{
	struct kernel_frame_counts frames = kernel_frame_counts();
	struct memory_stats st = {frames.total, frames.free, frames.page_tables, 0, 0, 0, MEMORY_MAX_MAPPINGS};
	bool irq = cpu_irq_save();
	for (size_t i = 0; i < reg.count; i++) {
		const struct record *r = ARRAY_AT(reg.records, i);
		if (owner != MEMORY_ALL_OWNERS && r->owner != owner)
			continue;
		st.mappings++;
		st.pages_mapped += r->pages;
		if (r->stack)
			st.stack_pages += r->pages;
	}
	cpu_irq_restore(irq);
	return st;
}

/* The registry as it came from another instance: every record inside
 * the region, at least one page, page-aligned, with an id the counter has
 * given out, and the records sorted with each one's guard page clear of
 * the mapping below. What it cannot tell: that the pages are mapped as
 * recorded, or who really holds them. */
static bool registry_valid(void)
{
	if (reg.count > MEMORY_MAX_MAPPINGS)
		return false;
	uint64_t low = KERNEL_MAPPING_REGION_BASE; /* lowest address the next guard page may use */
	for (size_t i = 0; i < reg.count; i++) {
		const struct record *r = ARRAY_AT(reg.records, i);
		if (r->base % PAGE || r->base < low || r->base - low < GUARD_BYTES || r->pages == 0 ||
		    r->pages > (REGION_END - r->base) / PAGE || r->id == 0 || r->id > reg.next_id)
			return false;
		low = record_end(r);
	}
	return true;
}

/* A swap or a restart hands the registry to the next instance: it is the
 * one record of what every task and crate has mapped, so no instance may
 * start without it while anything is mapped. */
CRATE_EXPORT struct status memory_save(void)
{
	bool irq = cpu_irq_save();
	struct status s = kernel_swap_handover_put(STR_OF_BYTES(BYTES_OF(reg)));
	cpu_irq_restore(irq);
	return s;
}

CRATE_EXPORT struct status memory_migrate(uint32_t from_major)
{
	if (from_major != 1)
		return STATUS(E_INVAL); /* only this record layout exists */
	bool irq = cpu_irq_save();
	struct count_result got = kernel_swap_handover_get(BYTES_OF(reg));
	bool ok = got.err == E_OK && got.value == sizeof reg && registry_valid();
	if (got.err == E_OK && !ok)
		reg.count = 0; /* this instance is about to be swapped back out */
	cpu_irq_restore(irq);
	return ok ? STATUS_OK : STATUS(got.err == E_OK ? E_INVAL : got.err);
}

/* Named in the CRATE record. A fresh instance knows of no mapping, so
 * whatever an unloaded earlier one left mapped is given back first -
 * unless a swap is handing it the registry (memory_migrate). */
struct status memory_init(void);
struct status memory_init(void)
{
	if (kernel_swap_handover_get((struct bytes){}).err == E_RANGE)
		return STATUS_OK;
	bool irq = cpu_irq_save();
	kernel_mapping_region_reset();
	reg.count = 0;
	cpu_irq_restore(irq);
	return STATUS_OK;
}
