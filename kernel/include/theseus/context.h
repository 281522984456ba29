/* Trusted header: the nano-core's context-switch and fault-protection
 * primitives, for the task crate. */
#ifndef THESEUS_CONTEXT_H
#define THESEUS_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/result.h>
#include <theseus/slice.h>

typedef void (*task_entry_fn)(uint64_t arg);

/* Prepare a fresh stack (its bytes) so that switching to the returned
 * stack pointer starts entry(arg) with interrupts enabled. E_INVAL when
 * the stack is too small or misaligned. */
RESULT_TYPE(sp_result, uint64_t);
struct sp_result kernel_context_init(struct bytes stack, task_entry_fn entry, uint64_t arg);

/* Save the current context, store its stack pointer in *save_sp, and
 * resume the context saved at load_sp. Returns when someone switches
 * back. Call with interrupts disabled. */
void kernel_context_switch(uint64_t *save_sp, uint64_t load_sp);

/* Quiescence for live swap: does a switched-out stack (saved_sp as
 * kernel_context_switch left it) execute in [lo, hi)? Checks the
 * registers saved at the switch, every return address on the
 * frame-pointer chain, and, across each interruption, the interrupted
 * RIP, registers and top two stack words. Stale words in live frames are
 * not read. A saved_sp outside the stack falls back to scanning every
 * word. */
bool kernel_stack_refers_to(struct bytes stack, uint64_t saved_sp, uint64_t lo, uint64_t hi);

/* The boot stack, on which the first task (the shell) runs. */
struct bytes kernel_boot_stack(void);

/* A task's stack is being freed without the task returning (it was
 * killed): drop the strong references that interrupt handler calls still
 * in progress on it hold (a preempted task is switched out inside the
 * timer handler). Returns how many were dropped. */
size_t kernel_stack_discarded(struct bytes stack);

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
