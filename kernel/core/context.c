/* The nano-core's half of tasking: preparing stacks and running code
 * under a recovery point. The switch itself is context.S. */
#include "kernel.h"
#include "crates.h"
#include "export.h"
#include "../arch/x86_64/trap.h"
#include <theseus/context.h>

extern void context_start(void);

KERNEL_EXPORT struct sp_result kernel_context_init(struct bytes stack, task_entry_fn entry, uint64_t arg)
{
	/* Frame popped by kernel_context_switch, lowest address first:
	 * fault point, r15, r14, r13, r12, rbx, rbp, return address. */
	const size_t words = 8;
	uint64_t top = ALIGN_DOWN((uint64_t)stack.ptr + stack.len, 16);
	if (!entry || stack.len < 512 || top < (uint64_t)stack.ptr + words * 8 + 16)
		return (struct sp_result){E_INVAL, 0};
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
	return (struct sp_result){E_OK, (uint64_t)frame};
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

KERNEL_EXPORT bool kernel_stack_refers_to(struct bytes stack, uint64_t saved_sp, uint64_t lo, uint64_t hi)
{
	uint64_t base = (uint64_t)stack.ptr, end = base + stack.len;
	if (saved_sp < base || saved_sp > end)
		saved_sp = base; /* unknown: scan the whole stack */
	for (uint64_t a = ALIGN_UP(saved_sp, 8); a + 8 <= end; a += 8) {
		uint64_t v = *(const uint64_t *)a;
		if (v >= lo && v < hi)
			return true;
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
