/* Exception entry stubs: each pushes a uniform frame (a dummy error code
 * where the CPU pushes none, then the vector) and joins isr_common, which
 * saves the general registers and calls exception_dispatch(frame).
 * Vectors 32..255 (interrupts) get the same frame from irq_stubs below;
 * exception_dispatch hands them to the interrupt layer's handler
 * (kernel/core/irq_entry.c). */

/* offsetof(struct trap_frame, rip): checked in trap.h. */
#define TRAP_FRAME_RIP 136

.macro ISR_NOERR vec
	.globl isr\vec
	.hidden isr\vec
isr\vec:
	pushq $0
	pushq $\vec
	jmp isr_common
.endm

.macro ISR_ERR vec
	.globl isr\vec
	.hidden isr\vec
isr\vec:
	pushq $\vec
	jmp isr_common
.endm

	.text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

/* One 16-byte stub per interrupt vector 32..255, so isr_table can name
 * each by its offset. The CPU pushes no error code for these. */
	.balign 16
irq_stubs:
	.set irq_vec, 32
	.rept 224
	.balign 16
	pushq $0
	pushq $irq_vec
	jmp isr_common
	.set irq_vec, irq_vec + 1
	.endr

isr_common:
	cld
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	/* A frame record {interrupted RBP, interrupted RIP} right below the
	 * trap frame, so the frame-pointer chain crosses the interruption
	 * and shows where the code was (backtraces; the stack walk of a live
	 * swap, kernel_stack_refers_to, which finds the trap frame 16 bytes
	 * above the record). Then align the stack for C. */
	movq %rsp, %rbx
	pushq TRAP_FRAME_RIP(%rsp)
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call exception_dispatch
	.globl isr_dispatch_return
isr_dispatch_return:
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl isr_table
	.hidden isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\n
	.endr
	.set irq_vec, 0
	.rept 224
	.quad irq_stubs + 16 * irq_vec
	.set irq_vec, irq_vec + 1
	.endr
