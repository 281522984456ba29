/* The nano-core's half of tasking: preparing a task's first stack frame.
 * The switch itself is context.S; running code under a recovery point is
 * fault.c, walking a task's stack stack_walk.c. */
#include "kernel.h"
#include "crate_env.h"
#include "export.h"
#include "arch/x86_64/trap.h"
#include <theseus/context.h>

extern void context_start(void);

KERNEL_EXPORT struct context_result kernel_context_init(struct bytes stack, task_entry_fn entry, uint64_t arg)
{
	/* Frame popped by kernel_context_switch, lowest address first:
	 * user context, fault point, r15, r14, r13, r12, rbx, rbp, return
	 * address. */
	const size_t words = 9;
	uint64_t top = ALIGN_DOWN((uint64_t)stack.ptr + stack.len, 16);
	if (!entry || stack.len < 512 || top < (uint64_t)stack.ptr + words * 8 + 16)
		return (struct context_result){E_INVAL, {0}};
	/* After the final `ret` pops the return address RSP must be 8 mod 16
	 * at context_start's call, so leave one spare word at the top. */
	uint64_t *frame = (uint64_t *)(top - 8 - words * 8);
	frame[0] = 0;                         /* a kernel task: no process */
	frame[1] = 0;                         /* no recovery point yet */
	frame[2] = 0;                         /* r15 */
	frame[3] = 0;                         /* r14 */
	frame[4] = arg;                       /* r13 */
	frame[5] = (uint64_t)entry;           /* r12 */
	frame[6] = 0;                         /* rbx */
	frame[7] = 0;                         /* rbp: ends backtraces */
	frame[8] = (uint64_t)context_start;   /* return address */
	return (struct context_result){E_OK, {(uint64_t)frame}};
}
KEXPORT(kernel_context_init);
KEXPORT(kernel_context_switch);
