/* Trusted header: the functions the nano-core calls in crates. A crate
 * registers each by its exported name (usually from its init); the
 * nano-core holds it as a named reference (linker.h), so a swapped or
 * restarted provider is reached in its new version, and an unloaded one
 * is simply not called. Nothing is hard-wired to a crate's name: the
 * nano-core is mechanism, and these are where it asks policy. */
#ifndef THESEUS_SERVICES_H
#define THESEUS_SERVICES_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/context.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/slice.h>

enum kernel_service {
	/* void fn(uint8_t vector): every interrupt vector 32..255
	 * (the interrupts crate). */
	KERNEL_SERVICE_IRQ_DISPATCH,
	/* bool fn(uint64_t lo, uint64_t hi): does a task other than the
	 * caller execute in [lo, hi)? Asked with interrupts off, for a live
	 * swap's quiescence (the task crate). */
	KERNEL_SERVICE_STACKS_IN,
	/* void fn(uint64_t ticks): let other tasks run for that long; the
	 * nano-core waits so for a busy linker and for an entry that stepped
	 * aside (the task crate). */
	KERNEL_SERVICE_SLEEP,
	/* void fn(struct fault_report *report): a crate's fault was
	 * contained (kernel_call_app), its call has unwound; decide what
	 * to do (the recovery crate). */
	KERNEL_SERVICE_FAULT,
	/* void fn(struct user_syscall *call): every system call of a user
	 * program (theseus/user.h; the process crate). None registered:
	 * every call answers -ENOSYS. */
	KERNEL_SERVICE_SYSCALL,
	/* struct status fn(void): after each interrupt's dispatch, with
	 * interrupts off, on the interrupted task's stack: switch tasks if a
	 * handler asked for it (the task crate). Handlers never switch tasks
	 * themselves, so no task waits inside the dispatcher's crate, which
	 * can then be replaced like any other. */
	KERNEL_SERVICE_PREEMPT,
	/* void fn(uint64_t vector): a fault's recovery point was overwritten
	 * (a stack overrun reached it), so the current task cannot be
	 * unwound: end it without returning to it (the task crate). The
	 * system goes on; without this service, or for a task that must not
	 * end, the nano-core halts. */
	KERNEL_SERVICE_ABANDON,
	KERNEL_SERVICE_COUNT
};

/* Register exported function `symbol` for `service` (STR_EMPTY: none
 * again). E_NOENT when no crate exports it, E_INVAL when it is not code or
 * the service is unknown. */
RESTRICTED_OPERATION struct status kernel_service_register(enum kernel_service service, struct str symbol);
/* The name registered for `service` ("" for none). */
struct str kernel_service_symbol(enum kernel_service service);

#endif
