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

/* The nano-core's preemption record, fetched at init. */
static struct cpu_preemption *preemption;

struct heap_guard {
	bool entered;
	bool held;
};

/* A task's call holds preemption, so no other task runs inside the heap.
 * False for an interrupt handler's call: the guard of the short paths
 * (HEAP_FAST_PATHS) then leaves it to the general way. */
static bool heap_enter_short(void)
{
	struct cpu_preemption *p = preemption;
	if (preempt_irq_depth(p))
		return false;
	preempt_hold(p);
	return true;
}

static void heap_leave_short(void) { preempt_release(preemption); }

/* A handler's call cannot be preempted (handlers do not nest), so it
 * takes no hold; it is refused while a task holds preemption, since that
 * task may be inside the heap with its records half-changed. */
static struct heap_guard heap_enter(void)
{
	if (heap_enter_short())
		return (struct heap_guard){true, true};
	return (struct heap_guard){preemption->holds == 0, false};
}

static void heap_leave(struct heap_guard g)
{
	if (g.held)
		heap_leave_short();
}


#define HEAP_FAST_PATHS 1
#define HEAP_REUSE_LAST 1
#define HEAP_INIT_FIRST() (preemption = kernel_preemption_record())
#define HEAP_THIS_VERSION "heap_v2"
#define HEAP_OTHER_VERSION "heap"
#include "heap_allocator.h"
