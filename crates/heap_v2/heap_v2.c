/* heap_v2: the kernel heap (heap_allocator.h), made faster, and the
 * alternative heap swaps to live (`swap heap heap_v2`).
 *
 * Two differences from version 1. A call holds preemption instead of
 * turning interrupts off (theseus/preemption.h): other tasks still cannot
 * run inside the heap, and the pair costs a few memory accesses where
 * cli/sti flushes the pipeline (and, under QEMU's TCG, ends a translation
 * block). Interrupt handlers do
 * run while a task is inside, so one that calls the heap then is refused
 * with E_AGAIN instead of finding the records half-changed; a handler that
 * calls it while no task is inside is served as before. And the block
 * freed last in a slab is the next one it hands out, still warm in the
 * cache, where version 1 takes the lowest free index. */
#include <theseus/crate.h>
#include <theseus/preemption.h>

CRATE("heap_v2", "2.0.0", "typed kernel heap, faster: preemption held instead of interrupts off, last freed first",
      "heap_init", "heap", "memory");

/* Calls inside the heap now (nested ones count: the heap allocates its own
 * records), and the interrupt depth of the first. Not carried over in a
 * swap, which finds the heap quiescent: both are 0 then. */
static volatile uint32_t inside, inside_depth;
/* The nano-core's preemption record, fetched at init. */
static struct cpu_preemption *preemption;

struct heap_guard {
	bool entered;
	bool held;
};

static struct heap_guard heap_enter(void)
{
	uint32_t depth = preempt_irq_depth(preemption);
	if (inside && depth != inside_depth)
		return (struct heap_guard){false, false}; /* a handler, while a task is inside */
	if (!depth)
		preempt_hold(preemption);
	if (inside == 0)
		inside_depth = depth;
	inside = inside + 1;
	return (struct heap_guard){true, depth == 0};
}

static void heap_leave(struct heap_guard g)
{
	inside = inside - 1;
	if (g.held)
		preempt_release(preemption);
}

#define HEAP_REUSE_LAST 1
#define HEAP_INIT_FIRST() (preemption = kernel_preemption_record())
#define HEAP_THIS_VERSION "heap_v2"
#define HEAP_OTHER_VERSION "heap"
#include "heap_allocator.h"
