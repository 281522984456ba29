/* Live swap under tasks: quiescence is waited for, and refused past the
 * limit with the old crate still working; repeated swaps leak nothing. */
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "ktest_spin.h"
#include "memory.h"
#include "task.h"

CRATE("ktest_swap", "1.0.0", "test crate: live swap with tasks inside the swapped crate", "", "",
      "ktest_spin,task,memory");

static volatile bool keep_spinning;

static void spinner(uint64_t unused)
{
	(void)unused;
	spin_while(&keep_spinning);
	task_exit(0);
}

static struct status swap(struct str old, struct str new_crate, struct crate_error *why)
{
	why->text[0] = '\0';
	return kernel_crate_swap(old, new_crate, why);
}

KTEST(swap_waits_for_quiescence, "swap.refused_while_a_task_stays_inside_then_allowed")
{
	struct crate_error why;
	KT_EXPECT(t, spin_version() == 1);
	keep_spinning = true;
	struct task_result r = task_spawn(STR("spinner"), spinner, 0, 0);
	KT_EXPECT(t, r.err == E_OK);
	task_sleep_ticks(5); /* it is inside ktest_spin now, and stays */

	struct status s = swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why);
	KT_EXPECT_MSG(t, s.err == E_TIMEOUT, "swap while inside: %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 1); /* OLD still in place and working */

	keep_spinning = false;
	int64_t code;
	KT_EXPECT(t, status_ok(task_join(r.value, &code)) && code == 0);
	s = swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why);
	KT_EXPECT_MSG(t, status_ok(s), "swap after it left: %s", STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 2);
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)));
	KT_EXPECT(t, spin_version() == 1);
}

KTEST(swap_missing_symbol_keeps_old, "swap.refused_for_a_crate_missing_an_import")
{
	struct crate_error why;
	/* hello exports nothing ktest_swap imports from ktest_spin. */
	struct status s = swap(STR("ktest_spin"), STR("hello"), &why);
	KT_EXPECT_MSG(t, s.err == E_NOENT, "got %d (%s)", s.err, STR_FROM_CSTR_ARRAY(why.text));
	KT_EXPECT(t, spin_version() == 1);
}

KTEST(swap_two_hundred_times_leaks_nothing, "swap.two_hundred_alternating_swaps_leak_nothing")
{
	struct crate_error why;
	/* Warm up: page tables and the linker's tables reach their size. */
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why)));
	KT_EXPECT(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)));
	struct memory_stats before = memory_stats(MEMORY_ALL_OWNERS);
	for (int i = 0; i < 100; i++) {
		KT_EXPECT_MSG(t, status_ok(swap(STR("ktest_spin"), STR("ktest_spin_v2"), &why)), "swap %d: %s", 2 * i, STR_FROM_CSTR_ARRAY(why.text));
		KT_EXPECT_MSG(t, status_ok(swap(STR("ktest_spin_v2"), STR("ktest_spin"), &why)), "swap %d: %s", 2 * i + 1,
			      STR_FROM_CSTR_ARRAY(why.text));
	}
	KT_EXPECT(t, spin_version() == 1);
	struct memory_stats after = memory_stats(MEMORY_ALL_OWNERS);
	KT_EXPECT_MSG(t, after.frames_free == before.frames_free, "free frames %lu, were %lu", after.frames_free,
		      before.frames_free);
}
