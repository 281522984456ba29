/* Trusted header: the nano-core's context-switch and fault-protection
 * primitives, for the task crate. */
#ifndef THESEUS_CONTEXT_H
#define THESEUS_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/sealed.h>
#include <theseus/slice.h>

typedef void (*task_entry_fn)(uint64_t arg);

/* A saved execution context: where on which stack a switched-out task
 * resumes. Sealed in this header, so only the nano-core reads or writes
 * its fields: crate code keeps contexts and hands them back, but cannot
 * make one point anywhere. A zeroed context ({}) is refused by a switch. */
struct SEALED kernel_context {
	uint64_t sp;
};

/* Prepare a fresh stack (its bytes) so that switching to the returned
 * context starts entry(arg) with interrupts enabled. E_INVAL when the
 * stack is too small or misaligned. */
RESULT_TYPE(context_result, struct kernel_context);
RESTRICTED_OPERATION struct context_result kernel_context_init(struct bytes stack, task_entry_fn entry,
							       uint64_t arg);

/* Save the current context into *save and resume *load. Returns when
 * someone switches back. Call with interrupts disabled. A load that was
 * never saved nor made by kernel_context_init (sp 0) is not resumed. */
RESTRICTED_OPERATION void kernel_context_switch(struct kernel_context *save,
						const struct kernel_context *load);

/* Quiescence for live swap: does a switched-out stack (saved as
 * kernel_context_switch left it) execute in [lo, hi)? Checks the
 * registers saved at the switch, every return address on the
 * frame-pointer chain, and, across each interruption, the interrupted
 * RIP, registers and top two stack words. Stale words in live frames are
 * not read. A saved context outside the stack falls back to scanning
 * every word. Only words inside `stack` are read; lo and hi are bounds
 * those words are compared with, never addresses anything is read at. */
RESTRICTED_OPERATION bool kernel_stack_refers_to(struct bytes stack, const struct kernel_context *saved,
					       uint64_t lo, uint64_t hi);

/* The boot stack, on which the first task (the shell) runs. */
RESTRICTED_OPERATION struct bytes kernel_boot_stack(void);

/* A task's stack is being freed without the task returning (it was
 * killed): drop the strong references that interrupt handler calls still
 * in progress on it hold (a preempted task is switched out inside the
 * timer handler). Returns how many were dropped. */
RESTRICTED_OPERATION size_t kernel_stack_discarded(struct bytes stack);

/* What a caught CPU exception looked like. */
struct fault_report {
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t address;      /* CR2 for page faults */
	char crate[32];        /* the crate whose code faulted, "" if none */
	char version[16];      /* its version */
	char function[64];     /* the function of its that faulted, "" if unknown */
	uint64_t offset;       /* of rip in that function */
	char outcome[64];      /* what the fault service did about it, "" if nothing */
};

/* Run fn(arg) under a recovery point: E_OK when it returned, E_FAULT with
 * *report filled when a CPU exception interrupted it (the exception has
 * been logged with a backtrace). */
struct status kernel_run_protected(task_entry_fn fn, uint64_t arg, struct fault_report *report);

#endif
