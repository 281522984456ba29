/* The two heap versions, told apart by what a client sees, across live
 * swaps with objects alive: version 1 hands out the lowest free block of a
 * slab, heap_v2 the block freed last; either takes over the other's live
 * objects, which keep their contents and are freed by the version that
 * serves then. */
#include <theseus/alloc.h>
#include <theseus/ktest.h>
#include "evolution.h"
#include "heap.h"
#include "ktest_handover.h"
#include <theseus/crates.h>

#define OWNER 0x7E570002u /* no task has this id: a slab of its own */

/* Three blocks, the first and the last freed: which one comes back?
 * 0 when the heap refused something. */
static uint64_t reused_block(const void **first, const void **last)
{
	uint64_t *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	bool ok = status_ok(HEAP_NEW(uint64_t, &a, OWNER)) && status_ok(HEAP_NEW(uint64_t, &b, OWNER)) &&
		  status_ok(HEAP_NEW(uint64_t, &c, OWNER));
	*first = a;
	*last = c;
	ok = ok && status_ok(HEAP_FREE(a)) && status_ok(HEAP_FREE(c)) && status_ok(HEAP_NEW(uint64_t, &d, OWNER));
	uint64_t got = ok ? heap_address_of(d) : 0;
	return status_ok(heap_release_owner(OWNER)) ? got : 0;
}

KTEST(heap_versions_differ_and_take_over_live_objects, "heap.versions_differ_and_take_over_live_objects")
{
	struct crate_error why = {""};
	uint64_t *kept = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(uint64_t, &kept, HEAP_OWNER_KERNEL)));
	*kept = 0x5AFE;
	const void *first, *last;

	uint64_t got = reused_block(&first, &last);
	KT_EXPECT_MSG(t, got == heap_address_of(first), "heap 1 reused %lx, not the lowest %lx", got,
		      heap_address_of(first));

	struct status s = evolution_swap(STR("heap"), STR("heap_v2"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap heap heap_v2: %s", STR_FROM_CSTR_ARRAY(why.text));
	got = reused_block(&first, &last);
	KT_EXPECT_MSG(t, got == heap_address_of(last), "heap_v2 reused %lx, not the last freed %lx", got,
		      heap_address_of(last));
	KT_EXPECT(t, *kept == 0x5AFE);

	/* Beside the serving version, the other refuses to start: its start
	 * would give back every slab. */
	s = kernel_crate_load(STR("heap"), &why);
	struct str said = STR_FROM_CSTR_ARRAY(why.text);
	KT_EXPECT_MSG(t, !status_ok(s) && said.len >= 8 && str_eq(str_sub(said, said.len - 8, 8), STR("(E_BUSY)")),
		      "load heap beside heap_v2: %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	got = reused_block(&first, &last);
	KT_EXPECT(t, got == heap_address_of(last)); /* heap_v2 still serves */
	s = evolution_swap(STR("heap_v2"), STR("heap"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap heap_v2 heap: %s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, *kept == 0x5AFE);
	KT_EXPECT(t, status_ok(HEAP_FREE(kept)));
}

/* The typed record handover on its own, with a pointer in the record:
 * each migrate hook checks the refusals (a plain read of the record, a
 * size probe, another type of the same size, another format, a second put
 * in the save hook) and fails the swap if one is missing. */
KTEST(swap_hands_a_typed_record_over, "swap.hands_a_typed_record_over")
{
	struct crate_error why = {""};
	struct status s = kernel_crate_load(STR("ktest_handover"), &why);
	KT_EXPECT_MSG(t, status_ok(s) || s.err == E_EXIST, "%s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, status_ok(handover_start(0xC0FFEE)));
	/* Outside a save hook, nothing can be put. */
	struct ktest_handover_state stray = {};
	KT_EXPECT(t, HANDOVER_PUT_RECORD(struct ktest_handover_state, &stray, KTEST_HANDOVER_FORMAT).err == E_INVAL);
	KT_EXPECT(t, HANDOVER_GET_RECORD(struct ktest_handover_state, &stray, KTEST_HANDOVER_FORMAT).err == E_NOENT);

	s = evolution_swap(STR("ktest_handover"), STR("ktest_handover_v2"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap there: %s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, handover_version() == 2);
	KT_EXPECT(t, handover_value() == 0xC0FFEE && handover_swaps() == 1);
	s = evolution_restart(STR("ktest_handover"), false, &why);
	KT_EXPECT_MSG(t, status_ok(s), "restart: %s", STR_FROM_CSTR_ARRAY(why.text));
	s = evolution_swap(STR("ktest_handover_v2"), STR("ktest_handover"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap back: %s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, handover_version() == 1);
	KT_EXPECT(t, handover_value() == 0xC0FFEE && handover_swaps() == 3);
	KT_EXPECT(t, status_ok(handover_stop())); /* the crate stays: this one imports it */
}

struct two_k {
	unsigned char b[2000];
};

HEAP_ARRAY_TYPE(u64_four, uint64_t);

/* What every version refuses and keeps, with blocks of the kernel owner:
 * heap_v2 serves those on its short paths, which must answer as the
 * general path does. */
static void kernel_blocks_checked(struct ktest_ctx *t)
{
	/* Once through first, so that the slabs of both classes exist: their
	 * descriptors are kernel objects too, and the first slab of a class
	 * stays when it empties. */
	uint64_t *p = NULL, *copy = NULL;
	struct u64_four *a = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(uint64_t, &p, HEAP_OWNER_KERNEL)) && status_ok(HEAP_FREE(p)));
	KT_EXPECT(t, status_ok(HEAP_NEW_ARRAY(struct u64_four, 4, &a, HEAP_OWNER_KERNEL)) &&
			     status_ok(HEAP_FREE_ARRAY(a)));
	uint64_t objects0 = heap_stats(HEAP_OWNER_KERNEL).objects;
	KT_EXPECT(t, status_ok(HEAP_NEW(uint64_t, &p, HEAP_OWNER_KERNEL)));
	KT_EXPECT(t, *p == 0);
	*p = 0xD1E;
	copy = p;
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));
	KT_EXPECT_MSG(t, HEAP_FREE(copy).err == E_INVAL, "a double free of a kernel block was taken");

	/* The block freed last comes back (in heap_v2) zeroed all the same. */
	KT_EXPECT(t, status_ok(HEAP_NEW(uint64_t, &p, HEAP_OWNER_KERNEL)));
	KT_EXPECT_MSG(t, *p == 0, "a block came back holding %lx", *p);
	KT_EXPECT(t, heap_free(p, 0).err == E_INVAL);
	KT_EXPECT(t, heap_free(p, 17).err == E_INVAL); /* more than its 16-byte block */
	KT_EXPECT(t, status_ok(HEAP_FREE(p)));

	KT_EXPECT(t, status_ok(HEAP_NEW_ARRAY(struct u64_four, 4, &a, HEAP_OWNER_KERNEL)));
	uint64_t *inside = HEAP_ARRAY_AT(a, 1);
	KT_EXPECT_MSG(t, HEAP_FREE(inside).err == E_INVAL, "a pointer into a block was freed");
	uint64_t local = 5;
	uint64_t *not_heap = &local;
	KT_EXPECT(t, HEAP_FREE(not_heap).err == E_INVAL && local == 5);
	KT_EXPECT(t, status_ok(HEAP_FREE_ARRAY(a)));
	KT_EXPECT_MSG(t, heap_stats(HEAP_OWNER_KERNEL).objects == objects0, "kernel objects %lu, were %lu",
		      heap_stats(HEAP_OWNER_KERNEL).objects, objects0);

	/* Three slabs' worth of 2 KiB blocks, all freed: at most one empty
	 * slab stays. */
	enum { PER_SLAB = HEAP_SLAB_BYTES / 2048, BLOCKS = 3 * PER_SLAB };
	struct two_k *blocks[BLOCKS] = {};
	uint64_t slabs0 = heap_stats(HEAP_OWNER_KERNEL).slab_bytes;
	for (unsigned i = 0; i < BLOCKS; i++)
		KT_EXPECT(t, status_ok(HEAP_NEW(struct two_k, ARRAY_AT(blocks, i), HEAP_OWNER_KERNEL)));
	KT_EXPECT(t, heap_stats(HEAP_OWNER_KERNEL).slab_bytes >= slabs0 + 2 * HEAP_SLAB_BYTES);
	for (unsigned i = 0; i < BLOCKS; i++)
		KT_EXPECT(t, status_ok(HEAP_FREE(*ARRAY_AT(blocks, i))));
	uint64_t slabs = heap_stats(HEAP_OWNER_KERNEL).slab_bytes;
	KT_EXPECT_MSG(t, slabs <= slabs0 + HEAP_SLAB_BYTES, "%lu slab bytes kept, were %lu", slabs, slabs0);
	/* The heap's own records are kernel objects: a kept slab's descriptor. */
	uint64_t objects = heap_stats(HEAP_OWNER_KERNEL).objects;
	KT_EXPECT_MSG(t, objects == objects0 + (slabs - slabs0) / HEAP_SLAB_BYTES, "kernel objects %lu, were %lu",
		      objects, objects0);
}

KTEST(heap_versions_check_kernel_blocks_alike, "heap.versions_check_kernel_blocks_alike")
{
	struct crate_error why = {""};
	kernel_blocks_checked(t);
	if (t->failed)
		return;
	struct status s = evolution_swap(STR("heap"), STR("heap_v2"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap heap heap_v2: %s", STR_FROM_CSTR_ARRAY(why.text));
	kernel_blocks_checked(t);
	s = evolution_swap(STR("heap_v2"), STR("heap"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap heap_v2 heap: %s", STR_FROM_CSTR_ARRAY(why.text));
}
