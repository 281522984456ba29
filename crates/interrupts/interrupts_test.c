/* In-kernel tests of the interrupts crate's own bookkeeping: line
 * numbers, masks and names. Delivery of real interrupts to handlers of
 * other crates is tested in crates/ktest_irq. */
#include <theseus/cpu.h>
#include <theseus/crates.h>
#include <theseus/ktest.h>
#include "interrupts.h"

#define QUIET_LINE 5 /* no device on it in this machine */

static struct irq_line_stats line_stats(uint8_t line)
{
	struct interrupts_stats all = {};
	interrupts_stats(&all);
	return *ARRAY_AT(all.lines, line % INTERRUPTS_LINES);
}

KTEST(interrupts_lines_map_to_vectors, "interrupts.lines_map_to_vectors")
{
	struct interrupts_stats all = {};
	interrupts_stats(&all);
	for (uint8_t i = 0; i < INTERRUPTS_LINES; i++)
		KT_EXPECT_MSG(t, all.lines[i].line == i && all.lines[i].vector == INTERRUPTS_VECTOR_BASE + i,
			      "line %u: vector %u", i, all.lines[i].vector);
}

KTEST(interrupts_register_unmasks_unregister_masks, "interrupts.register_unmasks_unregister_masks")
{
	KT_EXPECT(t, line_stats(QUIET_LINE).masked && line_stats(QUIET_LINE).handlers == 0);
	/* Any exported `void fn(uint8_t)` will do; this line never fires. */
	KT_EXPECT(t, status_ok(interrupts_register(QUIET_LINE, STR("interrupts_dispatch"))));
	KT_EXPECT(t, !line_stats(QUIET_LINE).masked && line_stats(QUIET_LINE).handlers == 1);
	struct interrupts_name_result name = interrupts_handler_name(QUIET_LINE, 0);
	KT_EXPECT(t, name.err == E_OK && str_eq(name.value, STR("interrupts_dispatch")));
	KT_EXPECT(t, interrupts_handler_name(QUIET_LINE, 1).err == E_NOENT);
	KT_EXPECT(t, interrupts_register(QUIET_LINE, STR("interrupts_dispatch")).err == E_EXIST);
	KT_EXPECT(t, status_ok(interrupts_unregister(QUIET_LINE, STR("interrupts_dispatch"))));
	KT_EXPECT(t, line_stats(QUIET_LINE).masked && line_stats(QUIET_LINE).handlers == 0);
	KT_EXPECT(t, interrupts_unregister(QUIET_LINE, STR("interrupts_dispatch")).err == E_NOENT);
}

KTEST(interrupts_bad_lines_and_names_are_errors, "interrupts.bad_lines_and_names_are_errors")
{
	KT_EXPECT(t, interrupts_register(INTERRUPTS_LINES, STR("interrupts_dispatch")).err == E_INVAL);
	KT_EXPECT(t, interrupts_register(INTERRUPTS_CASCADE_LINE, STR("interrupts_dispatch")).err == E_INVAL);
	KT_EXPECT(t, interrupts_unregister(INTERRUPTS_LINES, STR("interrupts_dispatch")).err == E_INVAL);
	KT_EXPECT(t, interrupts_register(QUIET_LINE, STR("no_such_handler_anywhere")).err == E_NOENT);
	KT_EXPECT(t, interrupts_handler_name(INTERRUPTS_LINES, 0).err == E_INVAL);
	KT_EXPECT(t, line_stats(QUIET_LINE).handlers == 0);
}

KTEST(interrupts_a_handler_whose_crate_is_unloaded_is_dropped,
      "interrupts.a_handler_whose_crate_is_unloaded_is_dropped")
{
	/* The registry holds handlers by name, which keeps no crate loaded:
	 * once nothing exports the name, the next interrupt on the line
	 * unregisters it instead of keeping the slot for ever. */
	enum { TIMER_LINE = 0 };
	struct crate_error why = {""};
	struct status loaded = kernel_crate_load(STR("ktest_irq"), &why);
	KT_EXPECT_MSG(t, status_ok(loaded) || loaded.err == E_EXIST, "%s", STR_FROM_CSTR_ARRAY(why.text));
	size_t handlers = line_stats(TIMER_LINE).handlers;
	KT_EXPECT(t, status_ok(interrupts_register(TIMER_LINE, STR("ktest_irq_count_b"))));
	KT_EXPECT(t, line_stats(TIMER_LINE).handlers == handlers + 1);
	KT_EXPECT_MSG(t, status_ok(kernel_crate_unload(STR("ktest_irq"), &why)), "unload ktest_irq: %s", STR_FROM_CSTR_ARRAY(why.text));
	uint64_t taken = line_stats(TIMER_LINE).taken;
	for (uint64_t spin = 0; line_stats(TIMER_LINE).taken < taken + 2 && spin < 100000000; spin++)
		cpu_relax_hint();
	KT_EXPECT_MSG(t, line_stats(TIMER_LINE).taken >= taken + 2, "the timer line did not fire");
	KT_EXPECT_MSG(t, line_stats(TIMER_LINE).handlers == handlers, "%lu handlers on the timer line, %lu before",
		      (uint64_t)line_stats(TIMER_LINE).handlers, (uint64_t)handlers);
	for (size_t i = 0; interrupts_handler_name(TIMER_LINE, i).err == E_OK; i++)
		KT_EXPECT(t, !str_eq(interrupts_handler_name(TIMER_LINE, i).value, STR("ktest_irq_count_b")));
}
