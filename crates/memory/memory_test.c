/* In-kernel tests of the memory crate, run by the nano-core's test runner
 * from this crate's .ktests section. Every test leaves nothing mapped.
 * The faults of unmapped and guard pages are tested from the nano-core
 * (kernel/core/memory_test.c), which can point below a mapping. */
#include <theseus/context.h>
#include <theseus/ktest.h>
#include "memory.h"

/* Owners no task will have (task ids are generation << 8 | slot). */
#define OWNER_A 0x7e570001u
#define OWNER_B 0x7e570002u

/* Frames not held by any mapping: the free ones, and those that became
 * page tables on the way (the nano-core keeps page tables once made, so
 * they are not a mapping's to return). */
static uint64_t frames_free(void)
{
	struct memory_stats st = memory_stats(MEMORY_ALL_OWNERS);
	return st.frames_free + st.page_table_frames;
}

KTEST(memory_map_write_read_unmap, "memory.map_write_read_unmap")
{
	uint64_t before = frames_free();
	struct memory_stats st0 = memory_stats(OWNER_A);
	struct mapping_result m = memory_map(3, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, m.err == E_OK);
	struct bytes b = memory_bytes(&m.value);
	KT_EXPECT_MSG(t, b.len == 3 * MEMORY_PAGE_SIZE, "view of %lu bytes", b.len);
	for (size_t i = 0; i < b.len; i++)
		KT_EXPECT_MSG(t, bytes_get(b, i) == 0, "byte %lu of a fresh mapping is not zero", i);
	for (size_t i = 0; i < b.len; i += 1000)
		bytes_set(b, i, (unsigned char)(i / 1000 + 1));
	for (size_t i = 0; i < b.len; i += 1000)
		KT_EXPECT(t, bytes_get(b, i) == (unsigned char)(i / 1000 + 1));
	struct memory_stats st1 = memory_stats(OWNER_A);
	KT_EXPECT(t, st1.mappings == st0.mappings + 1 && st1.pages_mapped == st0.pages_mapped + 3);
	KT_EXPECT_MSG(t, frames_free() == before - 3, "%lu frames used for 3 pages", before - frames_free());

	KT_EXPECT(t, status_ok(memory_unmap(&m.value)));
	KT_EXPECT(t, memory_bytes(&m.value).len == 0);
	KT_EXPECT(t, memory_stats(OWNER_A).mappings == st0.mappings);
	KT_EXPECT_MSG(t, frames_free() == before, "%ld frames not returned", (int64_t)(before - frames_free()));
}

KTEST(memory_bad_requests_are_errors, "memory.bad_requests_are_errors")
{
	KT_EXPECT(t, memory_map(0, MEMORY_READ_WRITE, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, memory_map(1, (enum memory_perm)7, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, memory_map_aligned(1, 3, MEMORY_READ_WRITE, OWNER_A).err == E_INVAL);
	KT_EXPECT(t, memory_map(SIZE_MAX, MEMORY_READ_WRITE, OWNER_A).err == E_NOMEM);
	struct mapping none = {};
	KT_EXPECT(t, memory_unmap(&none).err == E_INVAL);
	KT_EXPECT(t, memory_unmap(NULL).err == E_INVAL);
	KT_EXPECT(t, memory_remap(&none, MEMORY_READ).err == E_INVAL);
	KT_EXPECT(t, memory_bytes(&none).len == 0);
	KT_EXPECT(t, memory_release_owner(MEMORY_OWNER_KERNEL).err == E_PERM);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_B))); /* holds nothing: fine */
}

KTEST(memory_double_unmap_is_an_error, "memory.double_unmap_is_an_error")
{
	uint64_t before = frames_free();
	struct mapping_result m = memory_map(2, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, m.err == E_OK);
	struct mapping copy = m.value;
	KT_EXPECT(t, status_ok(memory_unmap(&m.value)));
	KT_EXPECT(t, frames_free() == before);
	/* The handle unmapped through is dead; a copy made before is stale. */
	KT_EXPECT(t, memory_unmap(&m.value).err == E_INVAL);
	KT_EXPECT(t, memory_unmap(&copy).err == E_STALE);
	KT_EXPECT(t, memory_unmap(&copy).err == E_INVAL);
	KT_EXPECT(t, memory_remap(&m.value, MEMORY_READ).err == E_INVAL);
	KT_EXPECT_MSG(t, frames_free() == before, "frames changed by a repeated unmap: %lu -> %lu", before,
		      frames_free());

	/* A stale copy stays stale when its address range is mapped again. */
	struct mapping_result again = memory_map(2, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, again.err == E_OK);
	struct mapping_result third = memory_map(2, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, third.err == E_OK);
	struct mapping copy2 = third.value;
	KT_EXPECT(t, status_ok(memory_unmap(&third.value)));
	struct mapping_result fourth = memory_map(2, MEMORY_READ_WRITE, OWNER_A); /* first fit: same place */
	KT_EXPECT(t, fourth.err == E_OK);
	KT_EXPECT(t, memory_bytes(&copy2).len == 0);
	KT_EXPECT(t, memory_unmap(&copy2).err == E_STALE);
	KT_EXPECT(t, memory_bytes(&fourth.value).len == 2 * MEMORY_PAGE_SIZE); /* untouched by that */
	KT_EXPECT(t, status_ok(memory_unmap(&fourth.value)));
	KT_EXPECT(t, status_ok(memory_unmap(&again.value)));
	KT_EXPECT(t, frames_free() == before);
}

static void write_first_byte_of_read_only_mapping(uint64_t value)
{
	struct mapping_result m = memory_map(1, MEMORY_READ_WRITE, OWNER_A);
	if (m.err != E_OK)
		return;
	bytes_set(memory_bytes(&m.value), 0, (unsigned char)value);
	if (!status_ok(memory_remap(&m.value, MEMORY_READ)))
		return;
	bytes_set(memory_bytes(&m.value), 0, (unsigned char)(value + 1)); /* faults */
}

KTEST(memory_remap_changes_permissions, "memory.remap_changes_permissions")
{
	struct mapping_result m = memory_map(2, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, m.err == E_OK);
	struct memory_info_result info = memory_info(&m.value);
	KT_EXPECT(t, info.err == E_OK && info.value.perm == MEMORY_READ_WRITE && info.value.pages == 2 &&
			     info.value.owner == OWNER_A && !info.value.stack);
	bytes_set(memory_bytes(&m.value), 5000, 42);
	KT_EXPECT(t, status_ok(memory_remap(&m.value, MEMORY_READ)));
	KT_EXPECT(t, memory_info(&m.value).value.perm == MEMORY_READ);
	KT_EXPECT(t, bytes_get(memory_bytes(&m.value), 5000) == 42); /* still readable */
	KT_EXPECT(t, memory_remap(&m.value, (enum memory_perm)9).err == E_INVAL);
	KT_EXPECT(t, status_ok(memory_remap(&m.value, MEMORY_READ_WRITE)));
	bytes_set(memory_bytes(&m.value), 5000, 43);
	KT_EXPECT(t, bytes_get(memory_bytes(&m.value), 5000) == 43);
	KT_EXPECT(t, status_ok(memory_unmap(&m.value)));

	/* A write to a read-only mapping is a page fault, caught. */
	struct fault_report report;
	struct status s = kernel_run_protected(write_first_byte_of_read_only_mapping, 7, &report);
	KT_EXPECT_MSG(t, s.err == E_FAULT, "the write did not fault (%d)", s.err);
	KT_EXPECT_MSG(t, report.vector == 14 && (report.error_code & 3) == 3,
		      "vector %lu error code %lx, not a write to a present page", report.vector, report.error_code);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A))); /* the mapping the faulting code left */
	KT_EXPECT(t, memory_stats(OWNER_A).mappings == 0);
}

KTEST(memory_stack_and_aligned_mappings, "memory.stack_and_aligned_mappings")
{
	struct mapping_result st = memory_map_stack(4, OWNER_A);
	KT_EXPECT(t, st.err == E_OK);
	struct memory_info_result info = memory_info(&st.value);
	KT_EXPECT(t, info.err == E_OK && info.value.stack && info.value.perm == MEMORY_READ_WRITE);
	KT_EXPECT(t, memory_stats(OWNER_A).stack_pages == 4);
	struct mapping_result al = memory_map_aligned(4, 4, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, al.err == E_OK);
	struct mapping_result al2 = memory_map_aligned(4, 4, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, al2.err == E_OK);
	KT_EXPECT(t, memory_bytes(&al.value).len == 4 * MEMORY_PAGE_SIZE);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A)));
	KT_EXPECT(t, memory_unmap(&st.value).err == E_STALE);
	KT_EXPECT(t, memory_unmap(&al.value).err == E_STALE);
	KT_EXPECT(t, memory_stats(OWNER_A).stack_pages == 0);
}

KTEST(memory_release_owner_frees_everything, "memory.release_owner_frees_everything")
{
	uint64_t before = frames_free();
	struct mapping_result kept = memory_map(5, MEMORY_READ_WRITE, OWNER_B);
	KT_EXPECT(t, kept.err == E_OK);
	struct mapping held[6] = {};
	static const size_t sizes[6] = {1, 7, 2, 16, 3, 1};
	for (size_t i = 0; i < 6; i++) {
		struct mapping_result m =
			i == 2 ? memory_map_stack(sizes[i], OWNER_A) : memory_map(sizes[i], MEMORY_READ_WRITE, OWNER_A);
		KT_EXPECT(t, m.err == E_OK);
		*ARRAY_AT(held, i) = m.value;
	}
	KT_EXPECT(t, status_ok(memory_remap(&held[1], MEMORY_READ)));
	KT_EXPECT(t, memory_stats(OWNER_A).mappings == 6 && memory_stats(OWNER_A).pages_mapped == 30);
	KT_EXPECT(t, frames_free() == before - 35);

	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A)));
	KT_EXPECT(t, memory_stats(OWNER_A).mappings == 0 && memory_stats(OWNER_A).pages_mapped == 0);
	KT_EXPECT_MSG(t, frames_free() == before - 5, "%ld frames of the released owner not returned",
		      (int64_t)(before - 5 - frames_free()));
	for (size_t i = 0; i < 6; i++) {
		KT_EXPECT(t, memory_bytes(ARRAY_AT(held, i)).len == 0);
		KT_EXPECT(t, memory_unmap(ARRAY_AT(held, i)).err == E_STALE);
	}
	/* The other owner's mapping is untouched. */
	KT_EXPECT(t, memory_bytes(&kept.value).len == 5 * MEMORY_PAGE_SIZE);
	bytes_set(memory_bytes(&kept.value), 0, 1);
	KT_EXPECT(t, status_ok(memory_unmap(&kept.value)));
	KT_EXPECT(t, frames_free() == before);
}

/* Map chunks of `chunk` pages, then single pages, until memory runs out;
 * returns the pages mapped, all of them owned by owner. */
static uint64_t map_until_full(uint32_t owner, size_t chunk)
{
	uint64_t pages = 0;
	for (size_t size = chunk; size >= 1; size /= 2) {
		for (;;) {
			struct mapping_result m = memory_map(size, MEMORY_READ_WRITE, owner);
			if (m.err != E_OK)
				break;
			pages += size;
		}
	}
	return pages;
}

KTEST(memory_exhaustion_is_an_error_and_memory_is_reused, "memory.exhaustion_is_an_error_and_memory_is_reused")
{
	uint64_t start = frames_free();
	uint64_t first = map_until_full(OWNER_A, 1024);
	KT_EXPECT_MSG(t, first > start / 2, "only %lu pages mapped of %lu free frames", first, start);
	KT_EXPECT(t, memory_map(1, MEMORY_READ_WRITE, OWNER_B).err == E_NOMEM);
	KT_EXPECT(t, memory_map_stack(1, OWNER_B).err == E_NOMEM);
	KT_EXPECT_MSG(t, memory_stats(MEMORY_ALL_OWNERS).frames_free < 4, "%lu frames left",
		      memory_stats(MEMORY_ALL_OWNERS).frames_free);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A)));
	KT_EXPECT_MSG(t, frames_free() == start, "%ld frames lost", (int64_t)(start - frames_free()));

	/* The system goes on, and the same memory is there to be had again
	 * (a little more: page tables made the first time are not needed). */
	uint64_t second = map_until_full(OWNER_A, 1024);
	KT_EXPECT_MSG(t, second >= first, "first %lu pages, then %lu", first, second);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A)));
	KT_EXPECT_MSG(t, frames_free() == start, "%ld frames lost", (int64_t)(start - frames_free()));
}

KTEST(memory_out_of_records_is_an_error, "memory.out_of_records_is_an_error")
{
	uint64_t before = frames_free();
	size_t live = memory_stats(MEMORY_ALL_OWNERS).mappings;
	size_t made = 0;
	for (;;) {
		struct mapping_result m = memory_map(1, MEMORY_READ_WRITE, OWNER_A);
		if (m.err != E_OK) {
			KT_EXPECT_MSG(t, m.err == E_NOMEM, "error %d", m.err);
			break;
		}
		made++;
	}
	KT_EXPECT_MSG(t, made + live == MEMORY_MAX_MAPPINGS, "%lu mappings made beside %lu", made, live);
	KT_EXPECT(t, status_ok(memory_release_owner(OWNER_A)));
	struct mapping_result m = memory_map(1, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, m.err == E_OK);
	KT_EXPECT(t, status_ok(memory_unmap(&m.value)));
	KT_EXPECT_MSG(t, frames_free() == before, "%ld frames lost", (int64_t)(before - frames_free()));
}

KTEST(memory_hooks_outside_a_swap_change_nothing, "memory.hooks_outside_a_swap_change_nothing")
{
	struct mapping_result m = memory_map(1, MEMORY_READ_WRITE, OWNER_A);
	KT_EXPECT(t, m.err == E_OK);
	struct memory_stats before = memory_stats(MEMORY_ALL_OWNERS);
	KT_EXPECT(t, memory_save().err == E_INVAL);
	KT_EXPECT(t, memory_migrate(1).err == E_NOENT);
	KT_EXPECT(t, memory_migrate(2).err == E_INVAL);
	struct memory_stats after = memory_stats(MEMORY_ALL_OWNERS);
	KT_EXPECT(t, after.mappings == before.mappings && after.pages_mapped == before.pages_mapped);
	KT_EXPECT(t, memory_bytes(&m.value).len == MEMORY_PAGE_SIZE);
	KT_EXPECT(t, status_ok(memory_unmap(&m.value)));
}
