/* The frame-pointer walker (stack_walk.h) and the two questions it
 * answers for crates: does a switched-out task stack execute in a range
 * (kernel_stack_refers_to, the task crate's quiescence service), and the
 * boot stack's bounds. */
#include "stack_walk.h"
#include "export.h"
#include "paging.h"
#include <theseus/context.h>

static bool frame_ok(uint64_t rbp, uint64_t lo, uint64_t hi)
{
	if (rbp % 8)
		return false;
	if (lo != hi)
		return rbp >= lo && rbp + 16 <= hi;
	return rbp >= PHYSMAP_BASE && paging_lookup(rbp) && paging_lookup(rbp + 8);
}

bool stack_walk(uint64_t rbp, uint64_t lo, uint64_t hi, unsigned max_frames, frame_visit_fn visit, void *ctx)
{
	for (unsigned depth = 0; depth < max_frames && frame_ok(rbp, lo, hi); depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;
		const struct trap_frame *tf = NULL;
		if (frame[1] == (uint64_t)isr_dispatch_return) {
			/* isr_common's record sits 16 bytes below the trap frame. */
			uint64_t at = frame[0] + 16;
			if (at >= rbp && frame_ok(at, lo, hi) && frame_ok(at + sizeof(struct trap_frame) - 16, lo, hi))
				tf = (const struct trap_frame *)at;
		}
		if (frame[1] && visit(ctx, frame[1], tf))
			return true;
		if (frame[0] <= rbp) /* stacks grow down: callers sit higher */
			break;
		rbp = frame[0];
	}
	return false;
}

struct range_search {
	uint64_t lo, hi;          /* the code range looked for */
	uint64_t stack_lo, stack_hi;
};

static bool within(uint64_t v, uint64_t lo, uint64_t hi) { return v >= lo && v < hi; }

/* An interruption: its RIP, its registers (a function pointer about to be
 * called), and the two words at its RSP (a return address not yet covered
 * by a frame record, when the interruption hit a function's prologue). */
static bool trap_frame_in(const struct range_search *r, const struct trap_frame *tf)
{
	const uint64_t *words = (const uint64_t *)tf;
	for (size_t i = 0; i < offsetof(struct trap_frame, vector) / 8; i++)
		if (within(words[i], r->lo, r->hi))
			return true;
	if (tf->rsp >= r->stack_lo && tf->rsp % 8 == 0 && tf->rsp + 16 <= r->stack_hi) {
		const uint64_t *top = (const uint64_t *)tf->rsp;
		return within(top[0], r->lo, r->hi) || within(top[1], r->lo, r->hi);
	}
	return false;
}

static bool frame_in_range(void *ctx, uint64_t rip, const struct trap_frame *interrupted)
{
	const struct range_search *r = ctx;
	return within(rip, r->lo, r->hi) || (interrupted && trap_frame_in(r, interrupted));
}

/* Walks the stack a task left at kernel_context_switch: the registers
 * saved there, then every return address of the chain, and across each
 * interruption its trap frame. Stale words in the live frames (an
 * uninitialized local that once held a return address) are not read, so
 * an application that ran earlier in this task does not look busy. */
KERNEL_EXPORT bool kernel_stack_refers_to(struct bytes stack, const struct kernel_context *context,
					 uint64_t lo, uint64_t hi)
{
	uint64_t saved_sp = context->sp;
	uint64_t base = (uint64_t)stack.ptr, end = base + stack.len;
	struct range_search r = {lo, hi, saved_sp, end};
	enum { SWITCH_WORDS = 9 }; /* user context, fault point, r15..r12, rbx, rbp, return (context.S) */
	if (saved_sp < base || saved_sp % 8 || saved_sp + SWITCH_WORDS * 8 > end) {
		/* Unknown layout: any word of the stack counts. */
		for (uint64_t a = ALIGN_UP(base, 8); a + 8 <= end; a += 8)
			if (within(*(const uint64_t *)a, lo, hi))
				return true;
		return false;
	}
	const uint64_t *saved = (const uint64_t *)saved_sp;
	for (int i = 0; i < SWITCH_WORDS; i++)
		if (within(saved[i], lo, hi))
			return true;
	return stack_walk(saved[7], saved_sp, end, 512, frame_in_range, &r);
}
KEXPORT(kernel_stack_refers_to);

extern char boot_stack_bottom[], boot_stack_top[];

KERNEL_EXPORT struct bytes kernel_boot_stack(void)
{
	return (struct bytes){(unsigned char *)boot_stack_bottom, (size_t)(boot_stack_top - boot_stack_bottom)};
}
KEXPORT(kernel_boot_stack);
