/* Calling crate code under a recovery point, and saying what a fault was:
 * the one protected-call primitive and the one fault report of the
 * nano-core. Every call into a crate (inits, the entry, applications,
 * hooks, services, interrupt handlers, tests and benchmarks) goes through
 * protected_call; every contained fault is described by fault_describe. */
#ifndef THESEUS_FAULT_H
#define THESEUS_FAULT_H

#include "kernel.h"
#include <theseus/context.h>

/* The C shapes of crate functions the nano-core calls. */
enum crate_fn_shape {
	FN_STATUS_VOID,    /* struct status fn(void): inits, entries, save hooks */
	FN_STATUS_STR,     /* struct status fn(struct str): applications */
	FN_STATUS_U32,     /* struct status fn(uint32_t): migrate hooks */
	FN_VOID_U8,        /* void fn(uint8_t): interrupt dispatch and handlers */
	FN_VOID_U64,       /* void fn(uint64_t): task bodies, sleep */
	FN_BOOL_U64_U64,   /* bool fn(uint64_t, uint64_t): the stacks service */
	FN_VOID_PTR,       /* void fn(void *): tests, benchmarks, the fault service */
};

struct crate_call {
	uint64_t address;
	enum crate_fn_shape shape;
	uint64_t a, b;  /* integer arguments */
	struct str s;   /* FN_STATUS_STR */
	void *p;        /* FN_VOID_PTR */
	struct status result; /* E_FAULT when it faulted */
	bool faulted;         /* what tells a fault from a function's own E_FAULT */
	bool truth;           /* FN_BOOL_U64_U64 */
	bool in_interrupt;    /* an interrupt handler call: for the fault log */
};

/* Call c under a recovery point. True when it returned; false when a CPU
 * exception interrupted it, with *fault (if not NULL) describing it,
 * attributed to the crate, function and offset where it hit. */
bool protected_call(struct crate_call *c, struct fault_report *fault);

/* "exception 14 (#PF page fault) in hello 1.0.0 hello_main+0x12" into buf. */
void fault_describe(const struct fault_report *f, char *buf, size_t cap);

/* Name `address` for a report: "crate function+0xOFF" or its hex value. */
void fault_symbolize(uint64_t address, char *buf, size_t cap);

/* Rebuild loaded crate `id`'s code from its image (linker_repair) with the
 * nano-core's scratch space; interrupts off. */
struct linker;
struct status fault_repair_crate(struct linker *l, uint32_t id, uint64_t *changed);
/* After a repair that changed code (the scrubber's): for a while, a task
 * interrupted inside the repaired functions is unwound rather than
 * resumed (fault.c, "Code the scrubber repaired"). */
void fault_watch_repaired(struct linker *l);

/* Install the symbolizing fault report and the repairing resume in the
 * trap layer (after the linker exists: before, reports show raw
 * addresses and nothing is repaired). */
void fault_reports_init(void);

#endif
