/* heap, version 1: the kernel heap (heap_allocator.h), with interrupts
 * off while a call touches its records. That keeps out other tasks (the
 * tick cannot preempt) and interrupt handlers alike; every block is taken
 * at the lowest free index of its slab. heap_v2 is the faster
 * alternative. */
#include <theseus/cpu.h>
#include <theseus/crate.h>

CRATE("heap", "1.0.0", "typed kernel heap: size-class slabs per owner, large objects as mappings", "heap_init",
      "", "memory");

struct heap_guard {
	bool entered;
	bool irq;
};

static struct heap_guard heap_enter(void) { return (struct heap_guard){true, cpu_irq_save()}; }
static void heap_leave(struct heap_guard g) { cpu_irq_restore(g.irq); }

#define HEAP_FAST_PATHS 0
#define HEAP_REUSE_LAST 0
#define HEAP_INIT_FIRST() ((void)0)
#define HEAP_THIS_VERSION "heap"
#define HEAP_OTHER_VERSION "heap_v2"
#include "heap_allocator.h"
