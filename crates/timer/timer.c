/* timer: PIT channel 0 as the tick source, and the TSC's frequency: from
 * CPUID when the CPU or the hypervisor states it, else measured against
 * PIT channel 2 in a few short windows. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/portio.h>
#include "fmt.h"
#include "interrupts.h"
#include "log.h"
#include "state_store.h"
#include "timer.h"

CRATE("timer", "1.0.0", "PIT tick at TIMER_HZ, uptime, TSC calibration", "timer_init", "",
      "interrupts,log,fmt,state_store");

#define PIT_INPUT_HZ 1193182u
#define PIT_DIVISOR ((PIT_INPUT_HZ + TIMER_HZ / 2) / TIMER_HZ)
#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_CH0_RATE_GENERATOR 0x34 /* channel 0, low then high byte, mode 2 */
#define PIT_CH2_ONE_SHOT 0xB0       /* channel 2, low then high byte, mode 0 */
#define PORT_B 0x61                 /* bit 0: channel 2 gate, 1: speaker, 5: channel 2 out */
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
/* The fallback measurement: windows of 0.1 ms and 1.1 ms, the shortest
 * of three of each, and the frequency from their difference, which
 * cancels what every window costs besides its length (starting the
 * count, the I/O exits of polling it: about 7 us under TCG, 1.4 % of a
 * 0.5 ms window on its own). It was five 2 ms windows, 12 ms of every
 * boot; this is 3.6 ms, and came within 0.15 % of the host's 2694.9 MHz
 * TSC in six boots under TCG on a loaded host. */
#define CALIBRATION_SHORT (PIT_INPUT_HZ / 10000)     /* 0.1 ms */
#define CALIBRATION_LONG (PIT_INPUT_HZ * 11 / 10000) /* 1.1 ms */
#define CALIBRATION_ROUNDS 3
#define CALIBRATION_MAX_POLLS (1u << 22)

_Static_assert(PIT_DIVISOR > 0 && PIT_DIVISOR <= 0xFFFF, "TIMER_HZ out of the PIT's range");

/* This crate's whole state: the tick count, written by the IRQ handler
 * (which is called with nothing but the line number, so it cannot live
 * with a client), and the one TSC measurement. */
static volatile uint64_t ticks;
static uint64_t tsc_hz;
static enum timer_tsc_source tsc_source;

/* Across a live swap that state moves through the state store: the swap
 * calls timer_save on the version going out and timer_migrate on the one
 * coming in, with interrupts off in between (docs/live-update.md). */
#define HANDOVER_KEY "timer.handover"
/* Format 2 adds the TSC's source; format 1 (ticks, tsc_hz: 16 bytes)
 * still comes in from a timer built before it. */
#define HANDOVER_FORMAT 2u
#define HANDOVER_FORMAT1_SIZE 16u
struct timer_handover {
	uint64_t ticks;
	uint64_t tsc_hz;
	uint64_t tsc_source;
};

CRATE_EXPORT struct status timer_save(void)
{
	struct timer_handover h = {ticks, tsc_hz, tsc_source};
	return state_put(STR(HANDOVER_KEY), STR_OF_BYTES(BYTES_OF(h)), HANDOVER_FORMAT);
}

CRATE_EXPORT struct status timer_migrate(uint32_t from_major)
{
	(void)from_major; /* the state's own format says what it holds */
	struct timer_handover h = {};
	struct state_get_result r = state_get(STR(HANDOVER_KEY), BYTES_OF(h));
	if (r.err == E_NOENT)
		return STATUS_OK; /* a restart: nothing handed over, start afresh */
	bool format1 = r.err == E_OK && r.value.version == 1u && r.value.len == HANDOVER_FORMAT1_SIZE;
	bool format2 = r.err == E_OK && r.value.version == HANDOVER_FORMAT && r.value.len == sizeof h;
	if (!format1 && !format2)
		return STATUS(E_INVAL);
	ticks = h.ticks;
	tsc_hz = h.tsc_hz;
	tsc_source = format2 && h.tsc_source <= TIMER_TSC_PIT ? (enum timer_tsc_source)h.tsc_source
			   : TIMER_TSC_UNKNOWN;
	return state_remove(STR(HANDOVER_KEY));
}

CRATE_EXPORT void timer_on_irq(uint8_t irq_line)
{
	(void)irq_line;
	ticks = ticks + 1;
}

CRATE_EXPORT uint64_t timer_ticks(void) { return ticks; }
CRATE_EXPORT uint64_t timer_hz(void) { return TIMER_HZ; }
CRATE_EXPORT uint64_t timer_tsc_hz(void) { return tsc_hz; }
CRATE_EXPORT enum timer_tsc_source timer_tsc_source(void) { return tsc_source; }

CRATE_EXPORT struct str timer_tsc_source_name(enum timer_tsc_source source)
{
	switch (source) {
	case TIMER_TSC_CPUID_15: return STR("CPUID leaf 0x15");
	case TIMER_TSC_CPUID_16: return STR("CPUID leaves 0x15 and 0x16");
	case TIMER_TSC_HYPERVISOR: return STR("hypervisor leaf 0x40000010");
	case TIMER_TSC_PIT: return STR("PIT channel 2");
	case TIMER_TSC_UNKNOWN: break;
	}
	return STR("unknown");
}

CRATE_EXPORT uint64_t timer_uptime_ms(void)
{
	return ticks * PIT_DIVISOR * 1000u / PIT_INPUT_HZ;
}

CRATE_EXPORT uint64_t timer_cycles_to_ns(uint64_t cycles)
{
	if (!tsc_hz)
		return 0;
	/* Split so that neither product overflows 64 bits. */
	return cycles / tsc_hz * 1000000000u + cycles % tsc_hz * 1000000000u / tsc_hz;
}

/* TSC cycles while PIT channel 2 counts down `count` (one-shot; its
 * output is read back through port 0x61); 0 when the output never rises. */
static uint64_t cycles_in_one_window(uint32_t count)
{
	port_out8(PIT_COMMAND, PIT_CH2_ONE_SHOT);
	port_out8(PIT_CHANNEL2, (uint8_t)(count & 0xFF));
	port_out8(PIT_CHANNEL2, (uint8_t)(count >> 8));
	uint64_t start = cpu_timestamp();
	for (uint32_t polls = 0; polls < CALIBRATION_MAX_POLLS; polls++)
		if (port_in8(PORT_B) & PORT_B_OUT2)
			return cpu_timestamp() - start;
	return 0;
}

#define CPUID_HYPERVISOR_BIT (1u << 31) /* leaf 1, ECX: running under a hypervisor */
#define CPUID_HYPERVISOR_BASE 0x40000000u
#define CPUID_HYPERVISOR_TSC 0x40000010u  /* EAX: TSC kHz (VMware's convention, QEMU's too) */

/* What the CPU says of its TSC: leaf 0x15 gives TSC = crystal x EBX/EAX
 * (the crystal's Hz in ECX, or, where ECX is 0, the ratio applied to
 * leaf 0x16's base frequency, which is then the TSC's); a hypervisor may
 * state it outright. 0 when nothing says. */
static uint64_t tsc_hz_from_cpuid(enum timer_tsc_source *source)
{
	uint32_t max_leaf = cpu_cpuid(0, 0).eax;
	if (max_leaf >= 0x15) {
		struct cpuid_regs ratio = cpu_cpuid(0x15, 0);
		if (ratio.eax && ratio.ebx && ratio.ecx) {
			*source = TIMER_TSC_CPUID_15;
			return (uint64_t)ratio.ecx * ratio.ebx / ratio.eax;
		}
		uint32_t base_mhz = max_leaf >= 0x16 ? cpu_cpuid(0x16, 0).eax & 0xFFFFu : 0;
		if (ratio.eax && ratio.ebx && base_mhz) {
			*source = TIMER_TSC_CPUID_16;
			return (uint64_t)base_mhz * 1000000u;
		}
	}
	if ((cpu_cpuid(1, 0).ecx & CPUID_HYPERVISOR_BIT) &&
	    cpu_cpuid(CPUID_HYPERVISOR_BASE, 0).eax >= CPUID_HYPERVISOR_TSC) {
		uint32_t khz = cpu_cpuid(CPUID_HYPERVISOR_TSC, 0).eax;
		if (khz) {
			*source = TIMER_TSC_HYPERVISOR;
			return (uint64_t)khz * 1000u;
		}
	}
	return 0;
}

/* A window can only come out too long (this CPU, or QEMU's thread for it,
 * was held up), never too short: keep the shortest of each length. */
static uint64_t measure_tsc_hz(void)
{
	uint8_t port_b = port_in8(PORT_B);
	port_out8(PORT_B, (uint8_t)((port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	uint64_t short_best = 0, long_best = 0;
	for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
		uint64_t a = cycles_in_one_window(CALIBRATION_SHORT);
		uint64_t b = cycles_in_one_window(CALIBRATION_LONG);
		if (a && (!short_best || a < short_best))
			short_best = a;
		if (b && (!long_best || b < long_best))
			long_best = b;
	}
	port_out8(PORT_B, port_b);
	if (!short_best || long_best <= short_best)
		return 0;
	return (long_best - short_best) * PIT_INPUT_HZ / (CALIBRATION_LONG - CALIBRATION_SHORT);
}

static void report_ready(void)
{
	struct fmt_line text;
	fmt_clear(&text);
	fmt_str(&text, STR("PIT channel 0 at "));
	fmt_u64(&text, TIMER_HZ);
	fmt_str(&text, STR(" Hz (divisor "));
	fmt_u64(&text, PIT_DIVISOR);
	fmt_str(&text, STR("); TSC "));
	if (tsc_hz) {
		fmt_u64(&text, tsc_hz / 1000000u);
		fmt_str(&text, STR(" MHz (from "));
		fmt_str(&text, timer_tsc_source_name(tsc_source));
		fmt_str(&text, STR(")"));
	} else {
		fmt_str(&text, STR("not calibrated (PIT channel 2 did not answer)"));
	}
	log_line(LOG_INFO, STR("timer"), &text);
}

struct status timer_init(void);
struct status timer_init(void)
{
	/* In a live swap the measurement is handed over (timer_migrate runs
	 * next): the PIT windows would only stretch the swap's
	 * interrupts-off window. */
	struct timer_handover waiting = {};
	bool handed_over = state_get(STR(HANDOVER_KEY), BYTES_OF(waiting)).err == E_OK;
	tsc_hz = handed_over ? 0 : tsc_hz_from_cpuid(&tsc_source);
	if (!tsc_hz && !handed_over) {
		tsc_hz = measure_tsc_hz();
		tsc_source = tsc_hz ? TIMER_TSC_PIT : TIMER_TSC_UNKNOWN;
	}
	/* E_EXIST: an earlier incarnation of this crate registered it; the
	 * registry holds it by name, so it now reaches this one. */
	struct status st = interrupts_register(TIMER_IRQ_LINE, STR("timer_on_irq"));
	if (!status_ok(st) && st.err != E_EXIST)
		return st;
	port_out8(PIT_COMMAND, PIT_CH0_RATE_GENERATOR);
	port_out8(PIT_CHANNEL0, (uint8_t)(PIT_DIVISOR & 0xFF));
	port_out8(PIT_CHANNEL0, (uint8_t)(PIT_DIVISOR >> 8));
	if (!handed_over)
		report_ready(); /* a swap's new version has its figures from timer_migrate */
	/* At boot this starts the tick. Inside a swap's window interrupts
	 * stay off: the tick waiting would switch tasks there, with OLD's
	 * state handed over and the importers not yet re-pointed. */
	if (!kernel_swap_in_progress())
		cpu_irq_enable();
	return STATUS_OK;
}
