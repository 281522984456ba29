/* Switching between task stacks.
 *
 * void kernel_context_switch(struct kernel_context *save,
 *                            const struct kernel_context *load)
 *   Pushes the callee-saved registers, the current recovery point
 *   (fault_point_current: each task has its own chain of kfault_try
 *   points, so it travels with the stack) and the current user context
 *   (user_context_current: the process a task runs, NULL for kernel
 *   tasks), stores RSP in save->sp, loads load->sp and pops the same set
 *   from there; a load->sp of 0 (a context nobody saved) returns at once.
 *   When the user context changes, user_context_switch(old, new)
 *   (kernel/core/user.c) saves and loads what belongs to a process: its
 *   page tables, its kernel stack for ring transitions, FS base, FPU/SSE
 *   registers. Interrupts are the caller's business: the task crate
 *   switches with them disabled.
 *
 * A new stack is prepared by kernel_context_init (context.c) so that the
 * first switch to it "returns" into context_start, which enables
 * interrupts and calls entry(arg). */

	.text
	.globl kernel_context_switch
	.type kernel_context_switch, @function
kernel_context_switch:
	movq (%rsi), %rax
	testq %rax, %rax
	jz 1f
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq fault_point_current(%rip)
	pushq user_context_current(%rip)
	movq %rsp, (%rdi)
	movq user_context_current(%rip), %rdi
	movq %rax, %rsp
	popq %rsi
	cmpq %rsi, %rdi
	je 2f
	movq %rsi, user_context_current(%rip)
	/* RBX is popped below: use it to keep RSP across the call. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call user_context_switch
	movq %rbx, %rsp
2:	popq fault_point_current(%rip)
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
1:	ret
	.size kernel_context_switch, . - kernel_context_switch

/* The first frame of a new task: r12 = entry, r13 = arg (set up by
 * kernel_context_init). RBP is 0 so backtraces stop here. */
	.globl context_start
	.hidden context_start
	.type context_start, @function
context_start:
	sti
	movq %r13, %rdi
	callq *%r12
	/* An entry must never return: the task crate's entry ends the task.
	 * If one does, fault, so that it is reported, not silently run on. */
	ud2
	.size context_start, . - context_start
