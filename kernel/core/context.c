/* The nano-core's half of tasking: preparing stacks and running code
 * under a recovery point. The switch itself is context.S. */
#include "kernel.h"
#include "crates.h"
#include "export.h"
#include "../arch/x86_64/trap.h"
#include <theseus/context.h>

extern void context_start(void);

KERNEL_EXPORT struct context_result kernel_context_init(struct bytes stack, task_entry_fn entry, uint64_t arg)
{
	/* Frame popped by kernel_context_switch, lowest address first:
	 * fault point, r15, r14, r13, r12, rbx, rbp, return address. */
	const size_t words = 8;
	uint64_t top = ALIGN_DOWN((uint64_t)stack.ptr + stack.len, 16);
	if (!entry || stack.len < 512 || top < (uint64_t)stack.ptr + words * 8 + 16)
		return (struct context_result){E_INVAL, {0}};
	/* After the final `ret` pops the return address RSP must be 8 mod 16
	 * at context_start's call, so leave one spare word at the top. */
	uint64_t *frame = (uint64_t *)(top - 8 - words * 8);
	frame[0] = 0;                         /* no recovery point yet */
	frame[1] = 0;                         /* r15 */
	frame[2] = 0;                         /* r14 */
	frame[3] = arg;                       /* r13 */
	frame[4] = (uint64_t)entry;           /* r12 */
	frame[5] = 0;                         /* rbx */
	frame[6] = 0;                         /* rbp: ends backtraces */
	frame[7] = (uint64_t)context_start;   /* return address */
	return (struct context_result){E_OK, {(uint64_t)frame}};
}
KEXPORT(kernel_context_init);
KEXPORT(kernel_context_switch);

struct protected_call {
	task_entry_fn fn;
	uint64_t arg;
};

static void run_call(void *p)
{
	struct protected_call *c = p;
	c->fn(c->arg);
}

KERNEL_EXPORT struct status kernel_run_protected(task_entry_fn fn, uint64_t arg, struct fault_report *report)
{
	struct protected_call c = {fn, arg};
	struct fault_point fp;
	if (!kfault_try(&fp, run_call, &c))
		return STATUS_OK;
	if (report) {
		memset(report, 0, sizeof *report);
		report->vector = fp.vector;
		report->error_code = fp.error_code;
		report->rip = fp.fault_rip;
		report->address = fp.fault_addr;
		struct linker *l = crates_linker();
		uint32_t section;
		uint32_t id = l ? linker_crate_of_address(l, fp.fault_rip, &section) : LINKER_NO_CRATE;
		const struct loaded_crate *lc = l ? linker_crate(l, id) : NULL;
		if (lc) {
			size_t n = strnlen(lc->name, sizeof report->crate - 1);
			memcpy(report->crate, lc->name, n);
			report->crate[n] = '\0';
		}
	}
	return STATUS(E_FAULT);
}
KEXPORT(kernel_run_protected);

static bool within(uint64_t v, uint64_t lo, uint64_t hi) { return v >= lo && v < hi; }

/* Conservative fallback: any word of the stack in [lo, hi). */
static bool any_word_in(uint64_t from, uint64_t end, uint64_t lo, uint64_t hi)
{
	for (uint64_t a = ALIGN_UP(from, 8); a + 8 <= end; a += 8)
		if (within(*(const uint64_t *)a, lo, hi))
			return true;
	return false;
}

/* The interrupted context of the trap frame at tf: its RIP, its
 * registers (a function pointer about to be called), and the two words
 * at its RSP (a return address not yet covered by a frame record, when
 * the interruption hit a function's prologue). */
static bool trap_frame_refers_to(const struct trap_frame *tf, uint64_t base, uint64_t end,
				 uint64_t lo, uint64_t hi)
{
	const uint64_t *words = (const uint64_t *)tf;
	for (size_t i = 0; i < offsetof(struct trap_frame, vector) / 8; i++)
		if (within(words[i], lo, hi))
			return true;
	if (within(tf->rip, lo, hi))
		return true;
	if (tf->rsp >= base && tf->rsp % 8 == 0 && tf->rsp + 16 <= end) {
		const uint64_t *top = (const uint64_t *)tf->rsp;
		return within(top[0], lo, hi) || within(top[1], lo, hi);
	}
	return false;
}

/* Walks the stack a task left at kernel_context_switch: the registers
 * saved there, then the frame-pointer chain (every return address), and
 * across each interruption its trap frame. Stale words in the live frames
 * (an uninitialized local that once held a return address) are not read,
 * so an application that ran earlier in this task does not look busy. */
KERNEL_EXPORT bool kernel_stack_refers_to(struct bytes stack, const struct kernel_context *context,
					 uint64_t lo, uint64_t hi)
{
	uint64_t saved_sp = context->sp;
	uint64_t base = (uint64_t)stack.ptr, end = base + stack.len;
	enum { SWITCH_WORDS = 8 }; /* fault point, r15..r12, rbx, rbp, return (context.S) */
	if (saved_sp < base || saved_sp % 8 || saved_sp + SWITCH_WORDS * 8 > end)
		return any_word_in(base, end, lo, hi); /* unknown layout */
	const uint64_t *saved = (const uint64_t *)saved_sp;
	for (int i = 0; i < SWITCH_WORDS; i++)
		if (within(saved[i], lo, hi))
			return true;
	uint64_t rbp = saved[6];
	for (unsigned depth = 0; depth < 512; depth++) {
		if (rbp < saved_sp || rbp % 8 || rbp + 16 > end)
			break; /* the chain ends (0 at a task's first frame) or leaves the stack */
		const uint64_t *frame = (const uint64_t *)rbp;
		if (within(frame[1], lo, hi))
			return true;
		if (frame[1] == (uint64_t)isr_dispatch_return) {
			uint64_t tf = frame[0] + 16;
			if (tf >= rbp && tf + sizeof(struct trap_frame) <= end &&
			    trap_frame_refers_to((const struct trap_frame *)tf, base, end, lo, hi))
				return true;
		}
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	return false;
}
KEXPORT(kernel_stack_refers_to);

extern char boot_stack_bottom[], boot_stack_top[];

KERNEL_EXPORT struct bytes kernel_boot_stack(void)
{
	return (struct bytes){(unsigned char *)boot_stack_bottom, (size_t)(boot_stack_top - boot_stack_bottom)};
}
KEXPORT(kernel_boot_stack);
