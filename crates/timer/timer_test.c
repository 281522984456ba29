/* In-kernel tests of the tick and the TSC calibration. Timing bounds are
 * deliberately wide (QEMU under TCG may drop ticks on a busy host): they
 * catch a dead or wildly wrong timer, not jitter. */
#include <theseus/cpu.h>
#include <theseus/ktest.h>
#include "timer.h"

/* A generous deadline in TSC cycles (the TSC counts host time under TCG). */
static uint64_t cycles_for_seconds(uint64_t seconds)
{
	uint64_t hz = timer_tsc_hz();
	return (hz ? hz : 4000000000u) * seconds;
}

static bool interrupts_on(void)
{
	bool enabled = cpu_irq_save();
	cpu_irq_restore(enabled);
	return enabled;
}

KTEST(timer_tsc_calibrated, "timer.tsc_calibrated")
{
	uint64_t hz = timer_tsc_hz();
	KT_EXPECT_MSG(t, hz >= 100000000u && hz <= 20000000000u, "TSC measured at %lu Hz", hz);
	KT_EXPECT(t, timer_cycles_to_ns(hz) >= 999999999u && timer_cycles_to_ns(hz) <= 1000000000u);
	KT_EXPECT(t, timer_cycles_to_ns(hz / 1000) / 1000 == 999 || timer_cycles_to_ns(hz / 1000) / 1000 == 1000);
}

KTEST(timer_ticks_advance_at_rate, "timer.ticks_advance_at_rate")
{
	const uint64_t wanted = 100; /* 100 ms at 1000 Hz */
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	KT_EXPECT(t, timer_hz() == TIMER_HZ);
	uint64_t deadline = cycles_for_seconds(10);
	uint64_t first = timer_ticks(), last = first;
	uint64_t start = cpu_timestamp(), elapsed = 0;
	while (last - first < wanted && elapsed < deadline) {
		uint64_t now = timer_ticks();
		KT_EXPECT_MSG(t, now >= last, "ticks went back from %lu to %lu", last, now);
		last = now;
		cpu_relax_hint();
		elapsed = cpu_timestamp() - start;
	}
	KT_EXPECT_MSG(t, last - first >= wanted, "only %lu ticks in 10 s", last - first);
	/* Ticks may be late (dropped under load), never early: 100 ticks take
	 * no less than 50 ms of TSC time. */
	uint64_t ns = timer_cycles_to_ns(elapsed);
	KT_EXPECT_MSG(t, timer_tsc_hz() == 0 || ns >= 50000000u, "%lu ticks in %lu ns", last - first, ns);
}

KTEST(timer_uptime_follows_ticks, "timer.uptime_follows_ticks")
{
	KT_EXPECT_MSG(t, interrupts_on(), "interrupts are disabled on this CPU");
	uint64_t before = timer_uptime_ms();
	uint64_t until = timer_ticks() + 20;
	uint64_t start = cpu_timestamp(), deadline = cycles_for_seconds(10);
	while (timer_ticks() < until && cpu_timestamp() - start < deadline)
		cpu_relax_hint();
	uint64_t ticks = timer_ticks(), ms = timer_uptime_ms();
	KT_EXPECT(t, ticks >= until);
	KT_EXPECT_MSG(t, ms >= before + 19, "uptime went from %lu to %lu ms over 20 ticks", before, ms);
	/* 1193 / 1193182 s per tick: the uptime runs a little behind ticks/ms. */
	KT_EXPECT_MSG(t, ms <= ticks && ms + 1 + ticks / 5000 >= ticks, "%lu ms for %lu ticks", ms, ticks);
}
