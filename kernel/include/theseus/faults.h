/* Trusted header: what the nano-core does with faults in crate code, and
 * what it tells the crate that decides about them (the recovery crate).
 *
 * Every CPU exception in crate code is contained: the nano-core reports
 * it (crate, function, offset) and unwinds to the enclosing recovery point
 * (an application call, a task body, an interrupt handler call). Before
 * unwinding it can also *repair*: code is a function of the crate's image
 * and its bindings, so the nano-core rebuilds the faulting crate's code,
 * read-only data and GOT (linker_repair) and, when bytes differed (a
 * flipped bit, an injected breakpoint), resumes the faulting instruction
 * as if nothing had happened. Data is state and is never touched. Whether
 * to repair is the policy's choice (kernel_fault_mode_set); the nano-core
 * does it in the exception handler, where no crate can run. */
#ifndef THESEUS_FAULTS_H
#define THESEUS_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/crates.h>
#include <theseus/restricted.h>
#include <theseus/result.h>
#include <theseus/slice.h>

enum kernel_fault_mode {
	KERNEL_FAULT_UNWIND,            /* report and unwind (the boot default) */
	KERNEL_FAULT_REPAIR_AND_RESUME, /* repair code first; resume if it was corrupt */
};
void kernel_fault_mode_set(enum kernel_fault_mode mode);

enum fault_outcome {
	FAULT_RESUMED,   /* the code was repaired and the instruction ran again */
	FAULT_UNWOUND,   /* the call was abandoned at its recovery point */
};

/* One contained fault, as the nano-core saw it. */
struct fault_event {
	uint64_t seq;           /* 1, 2, ... since boot */
	uint64_t vector;
	uint64_t rip;
	enum fault_outcome outcome;
	uint64_t repaired_bytes; /* code bytes rewritten (any crate on the stack) */
	bool in_interrupt;       /* in an interrupt handler call */
	char crate[32];          /* where it hit ("" outside every crate) */
	char version[16];
	char function[64];
	uint64_t offset;
};

/* The contained faults with seq > after, oldest first, into out; returns
 * how many were written. The nano-core keeps the last 32. */
size_t kernel_fault_events(uint64_t after, struct fault_event *out, size_t cap);

/* Repair a loaded crate's code now (see above): *changed is the bytes that
 * differed from its image. */
struct status kernel_crate_repair(struct str crate, uint64_t *changed, struct crate_error *why);

/* The same for the next loaded crate after *cursor (start with 0; each
 * call moves it on), for a scrubber that visits them all, one crate with
 * interrupts off at a time: why->text names the crate. E_NOENT when no
 * loaded crate is left. */
RESTRICTED_OPERATION struct status kernel_crate_repair_next(uint32_t *cursor, uint64_t *changed, struct crate_error *why);

#endif
