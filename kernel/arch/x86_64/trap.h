/* The saved CPU state of an exception, as isr.S lays it out on the stack. */
#ifndef THESEUS_TRAP_H
#define THESEUS_TRAP_H

#include <stdbool.h>
#include <stdint.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == 136, "TRAP_FRAME_RIP in isr.S");

/* Where isr_common resumes after exception_dispatch: a frame whose return
 * address is this has, as its saved RBP, the frame record that isr_common
 * builds 16 bytes below the trap frame. */
extern char isr_dispatch_return[];

/* A recovery point: kfault_try() records the callee-saved registers here
 * and, if a CPU exception hits while it is armed, the exception handler
 * resumes execution as if kfault_try() had returned the vector + 1. This
 * is the nano-core primitive that fault isolation of crates builds on. */
struct fault_point {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip; /* layout used by fault_try.S */
	struct fault_point *prev;
	/* filled in when a fault was caught */
	uint64_t vector, error_code, fault_rip, fault_addr;
	/* RFLAGS at kfault_try (offset 104, fault_try.S): the unwind gives the
	 * caller back its interrupt flag, whatever the faulting code had done
	 * to it (a fault inside a cli section). */
	uint64_t rflags;
};
_Static_assert(__builtin_offsetof(struct fault_point, prev) == 64 &&
		       __builtin_offsetof(struct fault_point, rflags) == 104,
	       "struct fault_point layout in fault_try.S");
#define RFLAGS_IF 0x200u /* interrupts enabled */

void idt_init(void);
/* Vectors IRQ_FIRST_VECTOR..255 (<theseus/irq.h>) go to handler (interrupts disabled, on the
 * stack they arrived on); none is taken before one is set. */
void trap_set_interrupt_handler(void (*handler)(uint8_t vector));
/* After an interrupt's handler, before the interrupted kernel code
 * resumes (possibly much later, after task switches): filter(f) may
 * change where it resumes. NULL: none. */
void trap_set_resume_filter(void (*filter)(struct trap_frame *f));
/* Executes ud2: where a resume filter sends code that must not go on. */
void trap_abort_resumed_code(void);
/* An exception no recovery point catches ends the run through QEMU's
 * isa-debug-exit with the failure code (tests, benchmarks) instead of
 * halting the CPU. */
void trap_set_fatal_exits_qemu(bool on);
/* Every exception report ends with printer(f): where the faulting
 * instruction is and the backtrace, named (kernel/core/fault.c). */
void trap_set_backtrace_printer(void (*printer)(const struct trap_frame *f));
/* Asked first about every exception: true when it dealt with it (the
 * frame is changed to resume); false goes on to recovery or a halt. */
void trap_set_fault_resumer(bool (*resume)(struct trap_frame *f));
/* When the recovery point an exception would unwind to was overwritten
 * (its resume address outside the nano-core's code, or its stack below
 * the fault's), the trap layer calls abandon(vector), which ends the
 * current task and does not return; if it returns, the CPU halts. */
void trap_set_abandon_handler(void (*abandon)(uint64_t vector));
/* The check behind it: could fp be what kfault_try recorded, for a fault
 * whose stack pointer is fault_rsp? */
bool trap_fault_point_sound(const struct fault_point *fp, uint64_t fault_rsp);
/* Runs fn(arg); returns 0 when it returned normally, or the exception
 * vector + 1 when a CPU exception interrupted it (details in *fp). */
int kfault_try(struct fault_point *fp, void (*fn)(void *), void *arg);
const char *exception_name(uint64_t vector);

/* Ring transitions (interrupts and exceptions from ring 3) arrive on the
 * stack whose top is set here (TSS.rsp0). */
void trap_set_kernel_stack(uint64_t top);
/* An exception in ring 3 goes to handler, which must not return (it ends
 * the process: kernel/core/user.c). */
void trap_set_user_fault_handler(void (*handler)(struct trap_frame *f, uint64_t cr2));
/* The one copy across the user boundary (user_entry.S): copies n bytes,
 * returns how many it could not (a fault on a user address stops it). */
uint64_t user_copy_raw(void *dst, const void *src, uint64_t n);
extern char user_copy_start[], user_copy_end[], user_copy_fixup[];

#endif
