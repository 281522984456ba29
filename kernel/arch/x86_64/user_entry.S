/* The ring-3 boundary, mechanism only (docs/user-space.md):
 *
 * uint64_t user_enter(struct user_jump *j, uint64_t rip, uint64_t rsp)
 *   Records a return point in *j (callee-saved registers, RSP, return
 *   address, as kfault_try does), makes the stack below it the stack of
 *   ring transitions (TSS.rsp0 and the SYSCALL stack), and enters ring 3
 *   at rip with rsp and every other register zero. It returns only when
 *   user_leave(j, value) is called (the process ended), with value.
 *
 * void user_leave(struct user_jump *j, uint64_t value)
 *   Resumes user_enter's caller; everything the stack held below the
 *   return point (syscall and exception frames of the process) is gone.
 *
 * syscall_entry: LSTAR. Builds a struct trap_frame (vector
 *   USER_SYSCALL_VECTOR) on the kernel stack, calls syscall_dispatch(f),
 *   and returns with SYSRET (IRETQ when the return address is not
 *   canonical, where SYSRET would fault in ring 0).
 *
 * user_copy_raw: the fault-safe copy; a fault between user_copy_start
 *   and user_copy_end resumes at user_copy_fixup (idt.c). */

#include "boot_layout.h"

#define TRAP_FRAME_RIP 136
#define USER_CS (GDT_USER_CODE | 3)
#define USER_DS (GDT_USER_DATA | 3)
#define USER_SYSCALL_VECTOR 256
#define JUMP_RSP0 64

	.text
	.globl user_enter
	.type user_enter, @function
user_enter:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 48(%rdi)
	movq (%rsp), %rax
	movq %rax, 56(%rdi)
	cli
	/* Ring transitions arrive just below this frame. */
	movq %rsp, %rax
	subq $64, %rax
	andq $-16, %rax
	movq %rax, JUMP_RSP0(%rdi)
	movq %rax, user_kernel_rsp(%rip)
	movq tss_rsp0(%rip), %rcx
	movq %rax, (%rcx)
	/* The IRET frame: SS, RSP, RFLAGS (IF), CS, RIP. */
	pushq $USER_DS
	pushq %rdx
	pushq $0x202
	pushq $USER_CS
	pushq %rsi
	xorl %eax, %eax
	xorl %ebx, %ebx
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %ebp, %ebp
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	xorl %r12d, %r12d
	xorl %r13d, %r13d
	xorl %r14d, %r14d
	xorl %r15d, %r15d
	iretq
	.size user_enter, . - user_enter

	.globl user_leave
	.type user_leave, @function
user_leave:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movq %rsi, %rax
	jmpq *56(%rdi)
	.size user_leave, . - user_leave

	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	/* IF is clear (FMASK): nothing runs between these two moves. */
	movq %rsp, user_rsp_scratch(%rip)
	movq user_kernel_rsp(%rip), %rsp
	pushq $USER_DS
	pushq user_rsp_scratch(%rip)
	pushq %r11              /* user RFLAGS */
	pushq $USER_CS
	pushq %rcx              /* user RIP */
	pushq $0
	pushq $USER_SYSCALL_VECTOR
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
	cld
	movq %rsp, %rdi
	movq %rsp, %rbx
	/* A frame record {user RBP, user RIP}, as isr_common makes. */
	pushq TRAP_FRAME_RIP(%rsp)
	pushq %rbp
	movq %rsp, %rbp
	andq $-16, %rsp
	call syscall_dispatch
	cli
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
	/* RIP, CS, RFLAGS, RSP, SS are left. SYSRET loads RIP from RCX and
	 * RFLAGS from R11 (Linux leaves them so too). */
	movq 0(%rsp), %rcx
	movq %rcx, %r11
	shrq $47, %r11
	jnz 1f                  /* not canonical in the user half */
	movq 16(%rsp), %r11
	movq 24(%rsp), %rsp
	sysretq
	/* IRETQ takes the frame as it is; RCX and R11 get their saved values
	 * back (the popped registers lie just below). */
1:	movq -40(%rsp), %rcx
	movq -104(%rsp), %r11
	iretq
	.size syscall_entry, . - syscall_entry

	.globl user_copy_raw
	.type user_copy_raw, @function
user_copy_raw:
	movq %rdx, %rcx
	.globl user_copy_start
user_copy_start:
	rep movsb
	.globl user_copy_end
user_copy_end:
	xorl %eax, %eax
	ret
	.globl user_copy_fixup
user_copy_fixup:
	movq %rcx, %rax
	ret
	.size user_copy_raw, . - user_copy_raw

	.bss
	.balign 8
	.globl user_kernel_rsp
user_kernel_rsp:
	.quad 0
user_rsp_scratch:
	.quad 0
