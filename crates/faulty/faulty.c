/* faulty: faults on request (include/faulty.h). */
#include <theseus/alloc.h>
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include "faulty.h"
#include "fmt.h"
#include "log.h"
#include "task.h"

CRATE("faulty", "1.0.0", "an application that faults on request (fault tests)", "", "", "fmt,log,task,heap");

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

/* Kill the task called `name`. E_NOENT when there is none. */
static struct status kill_named(struct str name)
{
	struct task_list *list = NULL; /* 4 KiB: not for a stack */
	struct status s = HEAP_NEW(struct task_list, &list, task_current());
	if (!status_ok(s))
		return s;
	task_list(list);
	s = STATUS(E_NOENT);
	for (size_t i = 0; i < list->count && i < TASK_MAX; i++)
		if (str_eq(STR_FROM_CSTR_ARRAY(list->tasks[i].name), name))
			s = task_kill(list->tasks[i].id);
	struct status freed = HEAP_FREE(list);
	return status_ok(s) ? freed : s;
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
	} else if (str_eq(args, STR("kill-session"))) {
		/* The console session ended from outside, at a time the caller
		 * picks: what a fault in it looks like to the shell. */
		task_sleep_ticks(FAULTY_KILL_DELAY_TICKS);
		struct status s = kill_named(STR("shell_session"));
		if (!status_ok(s))
			return s;
	} else if (str_eq(args, STR("late"))) {
		task_sleep_ticks(FAULTY_KILL_DELAY_TICKS);
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
