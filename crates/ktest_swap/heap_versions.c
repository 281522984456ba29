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
