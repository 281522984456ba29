/* recovery: what happens after a crate faults, as policy in a crate. The
 * nano-core contains every fault in crate code; this crate tells it
 * whether to repair corrupt code first (kernel_fault_mode_set), and hears
 * of the application faults it unwound (the KERNEL_SERVICE_FAULT service,
 * registered from its init; the shell loads it at start).
 *
 * The policy is the boot option recover=:
 *   (absent) or repair  code found corrupt at a fault (a flipped bit, an
 *                       injected breakpoint) is rebuilt from the crate's
 *                       image and the faulting instruction runs again;
 *                       other faults unwind;
 *   restart             as repair, and a crate whose call still faulted
 *                       is restarted at once (evolution_restart: a fresh
 *                       copy, fresh data);
 *   none                faults only unwind (the crate stays as it is
 *                       until someone restarts it). */
#ifndef CRATE_RECOVERY_H
#define CRATE_RECOVERY_H

#include <theseus/context.h>

enum recovery_policy { RECOVER_REPAIR, RECOVER_RESTART, RECOVER_NONE };

/* The policy in force (read from the boot options). */
enum recovery_policy recovery_policy(void);

/* The fault service: decide about one contained application fault, and
 * say what was done in report->outcome. */
void recovery_on_fault(struct fault_report *report);

#endif
