/* faulty: faults on request (include/faulty.h). */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "faulty.h"
#include "fmt.h"
#include "log.h"

CRATE("faulty", "1.0.0", "an application that faults on request (fault tests)", "", "", "fmt,log");

static uint64_t runs;
static volatile uint64_t sink;

/* A frame the compiler cannot fold away, and no tail call. */
static uint64_t recurse(uint64_t depth)
{
	volatile uint64_t frame[32];
	frame[depth % 32] = depth;
	uint64_t below = depth ? recurse(depth - 1) : 0;
	return below + frame[depth % 32];
}

CRATE_EXPORT struct status faulty_main(struct str args)
{
	runs++;
	if (str_eq(args, STR("bounds"))) {
		uint64_t table[4] = {1, 2, 3, 4};
		size_t index = 4 + (size_t)runs; /* never in range */
		sink = table[index];
	} else if (str_eq(args, STR("recurse"))) {
		sink = recurse(UINT64_MAX / 2);
	} else if (str_eq(args, STR("spin-irqs-off"))) {
		/* The same with interrupts off: no tick reaches it. */
		bool irq = cpu_irq_save();
		while (runs)
			sink = sink + 1;
		cpu_irq_restore(irq);
	} else if (str_eq(args, STR("spin"))) {
		/* What a flipped loop bound looks like from outside: a loop in
		 * this very function that never ends. */
		while (runs)
			sink = sink + 1;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("faulty ran "));
	fmt_u64(&line, runs);
	fmt_str(&line, runs == 1 ? STR(" time") : STR(" times"));
	log_line(LOG_INFO, STR("faulty"), &line);
	return STATUS_OK;
}
