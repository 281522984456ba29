/* int kfault_try(struct fault_point *fp, void (*fn)(void *), void *arg)
 *
 * Records the callee-saved registers, the stack pointer and a resume
 * address in *fp, links fp as the current recovery point and calls
 * fn(arg). A normal return unlinks fp and returns 0. When an exception
 * hits while fp is current, exception_dispatch rewrites the trap frame so
 * that iretq lands on fault_try_resume with RAX = vector + 1 and RSP and
 * the callee-saved registers restored from fp. */

	.text
	.globl kfault_try
	.hidden kfault_try
kfault_try:
	pushq %rbp
	movq %rsp, %rbp
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	movq %rsp, 48(%rdi)
	pushfq
	popq %rax
	movq %rax, 104(%rdi)
	leaq fault_try_resume(%rip), %rax
	movq %rax, 56(%rdi)

	/* fp->prev = current; current = fp */
	movq fault_point_current(%rip), %rax
	movq %rax, 64(%rdi)
	movq %rdi, fault_point_current(%rip)

	pushq %rdi              /* keep fp; also realigns the stack to 16 */
	subq $8, %rsp
	movq %rsi, %rax
	movq %rdx, %rdi
	call *%rax
	addq $8, %rsp
	popq %rdi
	movq 64(%rdi), %rax
	movq %rax, fault_point_current(%rip)
	xorl %eax, %eax
	popq %rbp
	ret

	.globl fault_try_resume
	.hidden fault_try_resume
fault_try_resume:
	/* exception_dispatch restored RSP, RBP and the callee-saved set and
	 * unlinked the point; RAX holds vector + 1. RSP is as it was right
	 * after our prologue. */
	popq %rbp
	ret

	/* Where a resume filter sends interrupted code that must not go on
	 * (trap_set_resume_filter): the #UD unwinds it to its recovery point
	 * like any fault, on its own stack, its frames intact. */
	.globl trap_abort_resumed_code
	.hidden trap_abort_resumed_code
	.type trap_abort_resumed_code, @function
trap_abort_resumed_code:
	ud2
	.size trap_abort_resumed_code, . - trap_abort_resumed_code
