/* recovery: what happens after a crate faults, as policy in a crate. The
 * nano-core contains the fault (the call unwinds with E_FAULT) and hands
 * its report to the KERNEL_SERVICE_FAULT service, which this crate
 * registers from its init; the shell loads it at start.
 *
 * The policy is the boot option recover=:
 *   recover=restart  the crate that faulted is restarted at once
 *                    (evolution_restart: a fresh copy of its image), so
 *                    the next call finds clean code and fresh data;
 *   otherwise        the crate is left as it is (a later `restart` mends
 *                    it). */
#ifndef CRATE_RECOVERY_H
#define CRATE_RECOVERY_H

#include <theseus/context.h>

/* The fault service: decide about one contained fault, and say what was
 * done in report->outcome. */
void recovery_on_fault(struct fault_report *report);

#endif
