/* recovery: what happens after a crate faults, as policy in a crate. The
 * nano-core contains every fault in crate code; this crate tells it
 * whether to repair corrupt code first (kernel_fault_mode_set), and hears
 * of the application faults it unwound (the KERNEL_SERVICE_FAULT service,
 * registered from its init; the shell imports it, so it is loaded with the
 * shell).
 *
 * The policies:
 *   repair   (the default) code found corrupt at a fault (a flipped bit,
 *            an injected breakpoint) is rebuilt from the crate's image;
 *            the faulting instruction runs again when the corruption was
 *            there, else every crate is repaired and the call unwinds.
 *            A crate whose calls keep faulting without corrupt code
 *            (RECOVER_ESCALATE_AFTER unwound faults among the nano-core's
 *            recent ones: bad state, a bug) is restarted;
 *   restart  as repair, and a crate whose call faulted is restarted at
 *            once (evolution_restart: a fresh instance, its own data anew);
 *   none     faults only unwind (the crate stays as it is until someone
 *            restarts it).
 * It is set by the boot option recover=, and changed at run time with
 * recovery_set_policy (the shell's `recover`), which keeps it in the state
 * store, so it outlives a restart of this crate. */
#ifndef CRATE_RECOVERY_H
#define CRATE_RECOVERY_H

#include <theseus/context.h>
#include <theseus/slice.h>

enum recovery_policy { RECOVER_REPAIR, RECOVER_RESTART, RECOVER_NONE };
#define RECOVER_ESCALATE_AFTER 3u

/* The policy in force: the one set at run time, else the boot option's. */
enum recovery_policy recovery_policy(void);
/* "repair", "restart" or "none". */
struct str recovery_policy_name(enum recovery_policy policy);
/* The policy called `name`; E_INVAL for another name. */
RESULT_TYPE(recovery_policy_result, enum recovery_policy);
struct recovery_policy_result recovery_policy_named(struct str name);
/* Put `policy` in force now (and for the rest of the boot). */
struct status recovery_set_policy(enum recovery_policy policy);

/* The fault service: decide about one contained application fault, and
 * say what was done in report->outcome. */
void recovery_on_fault(struct fault_report *report);

#endif
