/* In-kernel tests of the interrupts crate's own bookkeeping: line
 * numbers, masks and names. Delivery of real interrupts to handlers of
 * other crates is tested in crates/ktest_irq. */
#include <theseus/cpu.h>
#include <theseus/ktest.h>
#include "interrupts.h"

#define QUIET_LINE 5 /* no device on it in this machine */

static struct irq_line_stats line_stats(uint8_t line)
{
	struct interrupts_stats all = {};
	interrupts_stats(&all);
	return all.lines[line % INTERRUPTS_LINES];
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
