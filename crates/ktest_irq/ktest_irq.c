/* In-kernel tests of interrupt delivery through the registry, on real
 * interrupts: the PIT's IRQ 0 (which the timer crate keeps running) and
 * COM1's IRQ 4 in loopback mode. The handlers are exported because the
 * registry takes handlers by name. Nothing else uses this crate. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/irq.h>
#include <theseus/ktest.h>
#include <theseus/portio.h>
#include "evolution.h"
#include "interrupts.h"
#include "ktest_irq.h"
#include "serial_input.h"
#include "timer.h"

CRATE("ktest_irq", "1.0.0", "in-kernel tests of IRQ delivery: registry, sharing, faults, serial input", "",
      "", "evolution,interrupts,timer,serial_input");

/* Test-only state: how often each handler ran (handlers get no context). */
static volatile uint64_t calls_a, calls_b, serial_news;

CRATE_EXPORT void ktest_irq_count_a(uint8_t irq_line)
{
	(void)irq_line;
	calls_a = calls_a + 1;
}

CRATE_EXPORT void ktest_irq_count_b(uint8_t irq_line)
{
	(void)irq_line;
	calls_b = calls_b + 1;
}

/* Indexes past the end of an empty view: the bounds check traps (#UD). */
CRATE_EXPORT void ktest_irq_fault(uint8_t irq_line)
{
	struct str none = STR_EMPTY;
	calls_b = calls_b + (uint64_t)str_at(none, irq_line);
}

CRATE_EXPORT void ktest_irq_serial_news(uint8_t irq_line)
{
	(void)irq_line;
	serial_news = serial_news + 1;
}

/* Exported, but data: the registry must refuse it as a handler. */
CRATE_EXPORT const uint32_t ktest_irq_not_code = 42;

#define LINE_TIMER 0
#define LINE_SPARE 5 /* nothing drives it under QEMU q35 */

static uint64_t deadline_cycles(uint64_t seconds)
{
	uint64_t hz = timer_tsc_hz();
	return (hz ? hz : 4000000000u) * seconds;
}

/* Wait (interrupts on) until *counter >= target, 10 s at most. */
static bool wait_for(const volatile uint64_t *counter, uint64_t target)
{
	uint64_t start = cpu_timestamp(), limit = deadline_cycles(10);
	while (*counter < target && cpu_timestamp() - start < limit)
		cpu_relax_hint();
	return *counter >= target;
}

static bool wait_ticks(uint64_t n)
{
	uint64_t until = timer_ticks() + n;
	uint64_t start = cpu_timestamp(), limit = deadline_cycles(10);
	while (timer_ticks() < until && cpu_timestamp() - start < limit)
		cpu_relax_hint();
	return timer_ticks() >= until;
}

static bool interrupts_on(void)
{
	bool enabled = cpu_irq_save();
	cpu_irq_restore(enabled);
	return enabled;
}

static struct irq_line_stats line_stats(uint8_t line)
{
	struct interrupts_stats all;
	interrupts_stats(&all);
	return *ARRAY_AT(all.lines, line % INTERRUPTS_LINES);
}

KTEST(irq_handler_called, "irq.handler_called")
{
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	uint64_t before = calls_a;
	uint64_t taken = line_stats(LINE_TIMER).taken;
	KT_EXPECT(t, status_ok(interrupts_register(LINE_TIMER, STR("ktest_irq_count_a"))));
	bool called = wait_for(&calls_a, before + 3);
	KT_EXPECT(t, status_ok(interrupts_unregister(LINE_TIMER, STR("ktest_irq_count_a"))));
	KT_EXPECT_MSG(t, called, "handler ran %lu times in 10 s", calls_a - before);
	KT_EXPECT(t, line_stats(LINE_TIMER).taken >= taken + 3);
}

KTEST(irq_two_handlers_share_a_line, "irq.two_handlers_share_a_line")
{
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	uint32_t handlers = line_stats(LINE_TIMER).handlers;
	uint64_t a = calls_a, b = calls_b;
	KT_EXPECT(t, status_ok(interrupts_register(LINE_TIMER, STR("ktest_irq_count_a"))));
	struct status second = interrupts_register(LINE_TIMER, STR("ktest_irq_count_b"));
	uint32_t sharing = line_stats(LINE_TIMER).handlers;
	bool both = status_ok(second) && wait_for(&calls_a, a + 5) && wait_for(&calls_b, b + 5);
	KT_EXPECT(t, status_ok(interrupts_unregister(LINE_TIMER, STR("ktest_irq_count_a"))));
	KT_EXPECT(t, status_ok(second) && status_ok(interrupts_unregister(LINE_TIMER, STR("ktest_irq_count_b"))));
	KT_EXPECT_MSG(t, sharing == handlers + 2, "%u handlers on the line, %u before", sharing, handlers);
	KT_EXPECT_MSG(t, both, "a ran %lu times, b %lu times", calls_a - a, calls_b - b);
	KT_EXPECT(t, line_stats(LINE_TIMER).handlers == handlers);
}

KTEST(irq_unregister_stops_calls, "irq.unregister_stops_calls")
{
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	uint64_t before = calls_a;
	KT_EXPECT(t, status_ok(interrupts_register(LINE_TIMER, STR("ktest_irq_count_a"))));
	bool called = wait_for(&calls_a, before + 2);
	KT_EXPECT(t, status_ok(interrupts_unregister(LINE_TIMER, STR("ktest_irq_count_a"))));
	KT_EXPECT(t, called);
	uint64_t after = calls_a;
	KT_EXPECT(t, wait_ticks(20));
	KT_EXPECT_MSG(t, calls_a == after, "called %lu more times after unregistering", calls_a - after);
	KT_EXPECT(t, interrupts_unregister(LINE_TIMER, STR("ktest_irq_count_a")).err == E_NOENT);
}

KTEST(irq_register_checks_arguments, "irq.register_checks_arguments")
{
	KT_EXPECT(t, interrupts_register(INTERRUPTS_LINES, STR("ktest_irq_count_a")).err == E_INVAL);
	KT_EXPECT(t, interrupts_register(INTERRUPTS_CASCADE_LINE, STR("ktest_irq_count_a")).err == E_INVAL);
	KT_EXPECT(t, interrupts_register(LINE_SPARE, STR("")).err == E_INVAL);
	KT_EXPECT(t, interrupts_register(LINE_SPARE, STR("ktest_irq_no_such_handler")).err == E_NOENT);
	KT_EXPECT(t, interrupts_register(LINE_SPARE, STR("ktest_irq_not_code")).err == E_INVAL);
	/* A line is unmasked exactly while it has handlers. */
	KT_EXPECT(t, line_stats(LINE_SPARE).masked && line_stats(LINE_SPARE).handlers == 0);
	KT_EXPECT(t, status_ok(interrupts_register(LINE_SPARE, STR("ktest_irq_count_a"))));
	struct status again = interrupts_register(LINE_SPARE, STR("ktest_irq_count_a"));
	bool unmasked = !line_stats(LINE_SPARE).masked;
	KT_EXPECT(t, status_ok(interrupts_unregister(LINE_SPARE, STR("ktest_irq_count_a"))));
	KT_EXPECT(t, again.err == E_EXIST);
	KT_EXPECT(t, unmasked && line_stats(LINE_SPARE).masked);
}

KTEST(irq_faulting_handler_is_paused_not_removed, "irq.faulting_handler_is_paused_not_removed")
{
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	struct irq_line_stats before = line_stats(LINE_TIMER);
	struct irq_entry_stats entry_before;
	kernel_irq_entry_stats(&entry_before);
	KT_EXPECT(t, status_ok(interrupts_register(LINE_TIMER, STR("ktest_irq_fault"))));
	uint64_t start = cpu_timestamp(), limit = deadline_cycles(10);
	while (line_stats(LINE_TIMER).handler_faults < before.handler_faults + 3 && cpu_timestamp() - start < limit)
		cpu_relax_hint();
	struct irq_line_stats three = line_stats(LINE_TIMER);
	/* Paused after three in a row: the next ticks do not call it. */
	KT_EXPECT(t, wait_ticks(20));
	struct irq_line_stats after = line_stats(LINE_TIMER);
	struct irq_entry_stats entry_after;
	kernel_irq_entry_stats(&entry_after);
	/* Still registered: a restarted crate would be reached by name. */
	struct status still = interrupts_unregister(LINE_TIMER, STR("ktest_irq_fault"));
	KT_EXPECT_MSG(t, three.handler_faults == before.handler_faults + 3, "%lu faults, %lu before",
		      three.handler_faults, before.handler_faults);
	KT_EXPECT_MSG(t, after.handler_faults == three.handler_faults, "called while paused: %lu faults",
		      after.handler_faults - three.handler_faults);
	KT_EXPECT(t, after.handler_missed >= three.handler_missed + 20);
	KT_EXPECT(t, status_ok(still));
	KT_EXPECT(t, entry_after.handler_faults == entry_before.handler_faults + 3);
	/* The line and the timer live on. */
	KT_EXPECT(t, wait_ticks(5));
}

KTEST(irq_serial_input_by_interrupt, "irq.serial_input_by_interrupt")
{
	enum { COM1 = 0x3F8, THR = 0, MCR = 4, LSR = 5, MCR_LOOPBACK = 0x10, LSR_THR_EMPTY = 0x20 };
	static const char sent[] = "irq4!";
	unsigned char got[16];
	struct bytes into = BYTES_OF(got);
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	struct status started = serial_input_start();
	KT_EXPECT(t, status_ok(started) || started.err == E_EXIST);
	KT_EXPECT(t, status_ok(serial_input_listen(STR("ktest_irq_serial_news"))));
	while (serial_input_read(into) > 0) /* whatever came before */
		;
	struct irq_line_stats line_before = line_stats(SERIAL_INPUT_IRQ_LINE);
	uint64_t news = serial_news;

	/* Loopback: what the UART sends, it receives (and interrupts for).
	 * Nothing may print meanwhile: it would loop back too. */
	uint8_t mcr = port_in8(COM1 + MCR);
	port_out8(COM1 + MCR, (uint8_t)(mcr | MCR_LOOPBACK));
	for (size_t i = 0; i < sizeof sent - 1; i++) {
		while (!(port_in8(COM1 + LSR) & LSR_THR_EMPTY))
			cpu_relax_hint();
		port_out8(COM1 + THR, (uint8_t)sent[i]);
	}
	struct serial_input_stats stats;
	uint64_t start = cpu_timestamp(), limit = deadline_cycles(5);
	do {
		cpu_relax_hint();
		serial_input_stats(&stats);
	} while (stats.queued < sizeof sent - 1 && cpu_timestamp() - start < limit);
	port_out8(COM1 + MCR, mcr);

	size_t n = serial_input_read(into);
	struct status unlistened = serial_input_unlisten(STR("ktest_irq_serial_news"));
	struct status stopped = status_ok(started) ? serial_input_stop() : STATUS_OK;
	KT_EXPECT_MSG(t, n == sizeof sent - 1, "read %lu bytes", n);
	for (size_t i = 0; i < n; i++)
		KT_EXPECT(t, got[i] == (unsigned char)sent[i]);
	KT_EXPECT(t, line_stats(SERIAL_INPUT_IRQ_LINE).taken > line_before.taken);
	KT_EXPECT(t, serial_news > news);
	KT_EXPECT(t, status_ok(unlistened) && status_ok(stopped));
	KT_EXPECT(t, !status_ok(started) || line_stats(SERIAL_INPUT_IRQ_LINE).masked);
}

/* Send `text` to COM1 in loopback and wait until serial_input queued
 * `queued` bytes in all. Nothing may print meanwhile. */
static void loop_back(struct str text, uint32_t queued)
{
	enum { COM1 = 0x3F8, THR = 0, MCR = 4, LSR = 5, MCR_LOOPBACK = 0x10, LSR_THR_EMPTY = 0x20 };
	uint8_t mcr = port_in8(COM1 + MCR);
	port_out8(COM1 + MCR, (uint8_t)(mcr | MCR_LOOPBACK));
	for (size_t i = 0; i < text.len; i++) {
		while (!(port_in8(COM1 + LSR) & LSR_THR_EMPTY))
			cpu_relax_hint();
		port_out8(COM1 + THR, (uint8_t)str_at(text, i));
	}
	struct serial_input_stats stats;
	uint64_t start = cpu_timestamp(), limit = deadline_cycles(5);
	do {
		cpu_relax_hint();
		serial_input_stats(&stats);
	} while (stats.queued < queued && cpu_timestamp() - start < limit);
	port_out8(COM1 + MCR, mcr);
}

/* Restarting serial_input and interrupts loses no byte waiting to be read,
 * no listener and no registration: both hand them over by name. */
KTEST(irq_serial_input_kept_across_restarts, "irq.serial_input_kept_across_restarts")
{
	unsigned char got[16];
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	struct status started = serial_input_start();
	KT_EXPECT(t, status_ok(started) || started.err == E_EXIST);
	KT_EXPECT(t, status_ok(serial_input_listen(STR("ktest_irq_serial_news"))));
	while (serial_input_read(BYTES_OF(got)) > 0)
		;
	loop_back(STR("ab"), 2);
	struct crate_error why = {""};
	struct status restarted = evolution_restart(STR("serial_input"), false, &why);
	KT_EXPECT_MSG(t, status_ok(restarted), "restart serial_input: %s", STR_FROM_CSTR_ARRAY(why.text));
	restarted = evolution_restart(STR("interrupts"), false, &why);
	KT_EXPECT_MSG(t, status_ok(restarted), "restart interrupts: %s", STR_FROM_CSTR_ARRAY(why.text));
	uint64_t news = serial_news;
	struct irq_line_stats line_before = line_stats(SERIAL_INPUT_IRQ_LINE);
	loop_back(STR("cd"), 4);
	size_t n = serial_input_read(BYTES_OF(got));
	struct status unlistened = serial_input_unlisten(STR("ktest_irq_serial_news"));
	struct status stopped = status_ok(started) ? serial_input_stop() : STATUS_OK;
	KT_EXPECT_MSG(t, n == 4 && str_eq(str_sub(STR_OF_BYTES(BYTES_OF(got)), 0, 4), STR("abcd")), "read %lu bytes", n);
	KT_EXPECT(t, serial_news > news);
	KT_EXPECT(t, line_before.taken > 0 && line_stats(SERIAL_INPUT_IRQ_LINE).taken > line_before.taken);
	KT_EXPECT(t, status_ok(unlistened) && status_ok(stopped));
}
