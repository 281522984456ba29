/* timer: PIT channel 0 as the tick source, and TSC calibration against
 * PIT channel 2. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
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
#define CALIBRATION_COUNT (PIT_INPUT_HZ / 500) /* 2 ms */
#define CALIBRATION_ROUNDS 5
#define CALIBRATION_MAX_POLLS (1u << 22)

_Static_assert(PIT_DIVISOR > 0 && PIT_DIVISOR <= 0xFFFF, "TIMER_HZ out of the PIT's range");

/* This crate's whole state: the tick count, written by the IRQ handler
 * (which is called with nothing but the line number, so it cannot live
 * with a client), and the one TSC measurement. */
static volatile uint64_t ticks;
static uint64_t tsc_hz;

/* Across a live swap that state moves through the state store: the swap
 * calls timer_save on the version going out and timer_migrate on the one
 * coming in, with interrupts off in between (docs/live-update.md). */
#define HANDOVER_KEY "timer.handover"
#define HANDOVER_FORMAT 1u
struct timer_handover {
	uint64_t ticks;
	uint64_t tsc_hz;
};

CRATE_EXPORT struct status timer_save(void)
{
	struct timer_handover h = {ticks, tsc_hz};
	return state_put(STR(HANDOVER_KEY), STR_OF_BYTES(BYTES_OF(h)), HANDOVER_FORMAT);
}

CRATE_EXPORT struct status timer_migrate(uint32_t from_major)
{
	(void)from_major; /* every version so far writes format 1 */
	struct timer_handover h = {};
	struct state_get_result r = state_get(STR(HANDOVER_KEY), BYTES_OF(h));
	if (r.err == E_NOENT)
		return STATUS_OK; /* a restart: nothing handed over, start afresh */
	if (r.err != E_OK || r.value.len != sizeof h || r.value.version != HANDOVER_FORMAT)
		return STATUS(E_INVAL);
	ticks = h.ticks;
	tsc_hz = h.tsc_hz;
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

/* TSC cycles while PIT channel 2 counts down 2 ms (one-shot; its output
 * is read back through port 0x61); 0 when the output never rises. */
static uint64_t cycles_in_one_window(void)
{
	port_out8(PIT_COMMAND, PIT_CH2_ONE_SHOT);
	port_out8(PIT_CHANNEL2, (uint8_t)(CALIBRATION_COUNT & 0xFF));
	port_out8(PIT_CHANNEL2, (uint8_t)(CALIBRATION_COUNT >> 8));
	uint64_t start = cpu_timestamp();
	for (uint32_t polls = 0; polls < CALIBRATION_MAX_POLLS; polls++)
		if (port_in8(PORT_B) & PORT_B_OUT2)
			return cpu_timestamp() - start;
	return 0;
}

/* A window can only come out too long (this CPU, or QEMU's thread for it,
 * was held up), never too short: keep the shortest of a few. */
static uint64_t measure_tsc_hz(void)
{
	uint8_t port_b = port_in8(PORT_B);
	port_out8(PORT_B, (uint8_t)((port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	uint64_t best = 0;
	for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
		uint64_t cycles = cycles_in_one_window();
		if (cycles && (!best || cycles < best))
			best = cycles;
	}
	port_out8(PORT_B, port_b);
	return best * PIT_INPUT_HZ / CALIBRATION_COUNT;
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
		fmt_str(&text, STR(" MHz"));
	} else {
		fmt_str(&text, STR("not calibrated (PIT channel 2 did not answer)"));
	}
	log_line(LOG_INFO, STR("timer"), &text);
}

struct status timer_init(void);
struct status timer_init(void)
{
	tsc_hz = measure_tsc_hz();
	/* E_EXIST: an earlier incarnation of this crate registered it; the
	 * registry holds it by name, so it now reaches this one. */
	struct status st = interrupts_register(TIMER_IRQ_LINE, STR("timer_on_irq"));
	if (!status_ok(st) && st.err != E_EXIST)
		return st;
	port_out8(PIT_COMMAND, PIT_CH0_RATE_GENERATOR);
	port_out8(PIT_CHANNEL0, (uint8_t)(PIT_DIVISOR & 0xFF));
	port_out8(PIT_CHANNEL0, (uint8_t)(PIT_DIVISOR >> 8));
	report_ready();
	cpu_irq_enable();
	return STATUS_OK;
}
