/* Crate functions the nano-core holds by name (linker named references)
 * and calls: the services crates register (theseus/services.h) and the
 * interrupt handler references of theseus/irq.h. */
#ifndef THESEUS_SERVICE_CALLS_H
#define THESEUS_SERVICE_CALLS_H

#include "kernel.h"
#include "fault.h"
#include "linker/linker.h"
#include <theseus/services.h>

/* Call the function behind ref (its address goes into c) under a
 * recovery point, with a strong reference on its crate for the duration:
 * E_STALE when no loaded crate exports the name, E_FAULT with c->faulted
 * (and *fault) when it faulted, else c->result. Never loads a crate: callable from
 * interrupt context. */
struct status named_call(struct linker_named_ref *ref, struct crate_call *c, struct fault_report *fault);

/* As named_call, for a symbol the caller resolved with LINKER_TAKE_REF:
 * the strong reference it took is tracked for the call (a task killed
 * inside drops it) and dropped after. */
struct status symbol_call(const struct linker_symbol *sym, struct crate_call *c, struct fault_report *fault);

/* Call the registered service; E_STALE when none is registered or loaded. */
struct status service_call(enum kernel_service service, struct crate_call *c, struct fault_report *fault);
/* Let other tasks run for `ticks` timer ticks, or spin a little when no
 * sleep service is registered. */
void service_sleep(uint64_t ticks);

#endif
