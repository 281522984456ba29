/* irqs: print what the interrupts crate and the nano-core counted. Keeps
 * no state. Loading it loads the interrupts crate, not the timer, so it
 * never turns interrupts on by itself. */
#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/irq.h>
#include "fmt.h"
#include "interrupts.h"
#include "irqs.h"

CRATE("irqs", "1.0.0", "shell application: interrupt counts per IRQ line", "", "", "interrupts,fmt");

static void print(const struct fmt_line *line)
{
	kernel_console_write(fmt_view(line));
	kernel_console_write(STR("\n"));
}

static void column_u64(struct fmt_line *line, uint64_t v, size_t width)
{
	size_t mark = line->len;
	fmt_u64(line, v);
	fmt_pad_left(line, mark, width);
}

static void print_line(const struct irq_line_stats *s)
{
	struct fmt_line line;
	fmt_clear(&line);
	column_u64(&line, s->line, 4);
	column_u64(&line, s->vector, 7);
	column_u64(&line, s->taken, 10);
	column_u64(&line, s->spurious, 9);
	column_u64(&line, s->handler_calls, 10);
	column_u64(&line, s->handler_missed, 7);
	column_u64(&line, s->handler_faults, 7);
	fmt_str(&line, s->masked ? STR("  masked") : STR("  open  "));
	for (size_t i = 0;; i++) {
		struct interrupts_name_result name = interrupts_handler_name(s->line, i);
		if (name.err != E_OK)
			break;
		fmt_str(&line, i ? STR(", ") : STR("  "));
		fmt_str(&line, name.value);
	}
	print(&line);
}

CRATE_EXPORT struct status irqs_main(struct str args)
{
	bool all = str_eq(args, STR("--all"));
	if (args.len && !all) {
		kernel_console_write(STR("usage: run irqs [--all]\n"));
		return STATUS(E_INVAL);
	}
	struct interrupts_stats stats;
	interrupts_stats(&stats);
	kernel_console_write(STR(" IRQ vector     taken spurious     calls missed faults  line    handlers\n"));
	for (size_t i = 0; i < INTERRUPTS_LINES; i++) {
		const struct irq_line_stats *s = ARRAY_AT(stats.lines, i);
		if (all || s->taken || s->spurious || s->handlers)
			print_line(s);
	}
	struct irq_entry_stats entry;
	kernel_irq_entry_stats(&entry);
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("nano-core: "));
	fmt_u64(&line, entry.entered);
	fmt_str(&line, STR(" interrupts entered, "));
	fmt_u64(&line, entry.unrouted);
	fmt_str(&line, STR(" unrouted, "));
	fmt_u64(&line, entry.dispatcher_faults + entry.handler_faults);
	fmt_str(&line, STR(" faulted; "));
	fmt_u64(&line, stats.foreign_vectors);
	fmt_str(&line, STR(" vectors from no PIC line"));
	print(&line);
	return STATUS_OK;
}
