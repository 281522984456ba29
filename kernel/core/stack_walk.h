/* Walking a stack's frame-pointer chain: the one walker of the nano-core,
 * for fault backtraces, for "is this context inside crate X" and for the
 * quiescence check of a live swap (kernel_stack_refers_to). Crates and
 * the nano-core are built with frame pointers; isr_common leaves a frame
 * record {interrupted RBP, interrupted RIP} below each trap frame, so the
 * chain crosses interruptions. */
#ifndef THESEUS_STACK_WALK_H
#define THESEUS_STACK_WALK_H

#include "kernel.h"
#include "arch/x86_64/trap.h"

/* Called for each return address, innermost first. `interrupted` is the
 * trap frame of an interruption when rip is exception_dispatch's return
 * into isr_common (the next frame then returns to the interrupted
 * instruction), else NULL. Return true to stop. */
typedef bool (*frame_visit_fn)(void *ctx, uint64_t rip, const struct trap_frame *interrupted);

/* Follow the chain from rbp, at most max_frames, while each frame lies in
 * [lo, hi) (the stack's bounds; lo == hi: anywhere mapped), is 8-aligned
 * and above the one before. True when visit stopped the walk. */
bool stack_walk(uint64_t rbp, uint64_t lo, uint64_t hi, unsigned max_frames, frame_visit_fn visit,
		void *ctx);

/* The caller's own frame pointer, for a walk from here. */
static inline uint64_t stack_current_rbp(void)
{
	uint64_t rbp;
	__asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
	return rbp;
}

#endif
