/* In-kernel tests of the evolution policy. Swaps under running tasks are
 * tested in crates/ktest_swap; the shell's commands in the console tests. */
#include <theseus/alloc.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "evolution.h"

KTEST(evolution_swap_there_and_back_is_recorded, "evolution.swap_there_and_back_is_recorded")
{
	struct crate_error why = {""};
	struct status loaded = kernel_crate_load(STR("hello"), &why);
	KT_EXPECT_MSG(t, status_ok(loaded) || loaded.err == E_EXIST, "%s", STR_FROM_CSTR_ARRAY(why.text));
	/* Two histories are too big for a task's stack (safe-C rule stack-frame). */
	struct swap_history *before = NULL, *after = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(struct swap_history, &before, HEAP_OWNER_KERNEL)));
	if (!status_ok(HEAP_NEW(struct swap_history, &after, HEAP_OWNER_KERNEL))) {
		KT_EXPECT(t, status_ok(HEAP_FREE(before)));
		KT_EXPECT(t, false);
	}
	evolution_history(before);
	bool there = status_ok(evolution_swap(STR("hello"), STR("hello_v2"), &why));
	bool back = there && status_ok(evolution_swap(STR("hello_v2"), STR("hello"), &why));
	evolution_history(after);
	bool recorded = after->total == before->total + 2 && after->count >= 2;
	struct swap_record last = *ARRAY_AT(after->records, (after->count + SWAP_HISTORY_MAX - 1) % SWAP_HISTORY_MAX);
	KT_EXPECT(t, status_ok(HEAP_FREE(before)));
	KT_EXPECT(t, status_ok(HEAP_FREE(after)));
	KT_EXPECT_MSG(t, there && back, "%s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, recorded);
	KT_EXPECT(t, last.result == E_OK);
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(last.old_crate), STR("hello_v2")));
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(last.new_crate), STR("hello")));
	KT_EXPECT(t, !evolution_swap_pending()); /* nothing waits now */
	KT_EXPECT(t, status_ok(kernel_crate_unload(STR("hello"), &why)));
}

KTEST(evolution_refuses_to_drop_a_crates_own_state, "evolution.refuses_to_drop_a_crates_own_state")
{
	/* faulty keeps its run count in .data/.bss and has no
	 * faulty_save/faulty_migrate. */
	struct crate_error why = {""};
	KT_EXPECT_MSG(t, status_ok(kernel_crate_load(STR("faulty"), &why)), "%s", STR_FROM_CSTR_ARRAY(why.text));
	struct status s = evolution_swap(STR("faulty"), STR("faulty"), &why);
	KT_EXPECT_MSG(t, s.err == E_PERM, "swap faulty faulty: %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	struct str text = STR_FROM_CSTR_ARRAY(why.text);
	KT_EXPECT_MSG(t, text.len > 20 && str_eq(str_sub(text, 0, 13), STR("faulty keeps ")), "%s",
		      STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT_MSG(t, status_ok(kernel_crate_unload(STR("faulty"), &why)), "%s", STR_FROM_CSTR_ARRAY(why.text));
}

KTEST(evolution_bad_names_are_errors, "evolution.bad_names_are_errors")
{
	struct crate_error why = {""};
	KT_EXPECT(t, evolution_swap(STR("no_such_crate"), STR("hello"), &why).err == E_NOENT);
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(why.text), STR("not loaded")));
	KT_EXPECT(t, status_ok(kernel_crate_load(STR("hello"), &why)));
	KT_EXPECT(t, evolution_swap(STR("hello"), STR("no_such_crate"), &why).err == E_NOENT);
	KT_EXPECT(t, str_eq(STR_FROM_CSTR_ARRAY(why.text), STR("crate no_such_crate: no such crate in the archive (E_NOENT)")));
	KT_EXPECT(t, evolution_restart(STR("no_such_crate"), false, &why).err == E_NOENT);
	KT_EXPECT(t, status_ok(kernel_crate_unload(STR("hello"), &why)));
}

KTEST(evolution_restart_keeps_what_the_save_hook_hands_over, "evolution.restart_keeps_what_the_save_hook_hands_over")
{
	/* The heap hands its whole record to the fresh copy: an object that
	 * lives across the restart keeps its contents and is freed by the new
	 * instance, and a double free is still seen. */
	const uint32_t owner = 0x7E570001u; /* no task has this id */
	struct crate_error why = {""};
	uint64_t *object = NULL;
	KT_EXPECT(t, status_ok(HEAP_NEW(uint64_t, &object, owner)));
	*object = 0x5AFE;
	uint64_t *keep = object;
	struct heap_stats before = heap_stats(owner);
	struct status s = evolution_restart(STR("heap"), false, &why);
	KT_EXPECT_MSG(t, status_ok(s), "restart heap: %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	struct heap_stats after = heap_stats(owner);
	KT_EXPECT_MSG(t, after.objects == before.objects && after.bytes_in_use == before.bytes_in_use,
		      "objects %lu -> %lu", before.objects, after.objects);
	KT_EXPECT(t, *object == 0x5AFE);
	KT_EXPECT(t, status_ok(HEAP_FREE(object)));
	KT_EXPECT(t, heap_free(keep, sizeof *keep).err == E_INVAL);
	KT_EXPECT(t, status_ok(heap_release_owner(owner)));
}
