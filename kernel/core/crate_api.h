/* What the nano-core's crate services share between their files:
 * crate_api.c (queries, load and unload, and these helpers), crate_swap.c
 * (live swap, push, restart) and crate_calls.c (application calls, fault
 * recovery and injection). Crates see kernel/include/theseus/crates.h. */
#ifndef THESEUS_CRATE_API_H
#define THESEUS_CRATE_API_H

#include "crate_env.h"
#include "linker/loader.h"
#include <theseus/crates.h>

/* ---- crate_api.c ---- */

/* A struct str as a C string, refusing what does not fit or has a NUL. */
bool str_to_cstr(struct str s, char *dst, size_t cap);
/* Fill why (when not NULL) with text, or with the link error's line. */
void explain(struct crate_error *why, const char *text);
void explain_link(struct crate_error *why, const struct link_error *err);
/* The linker, or NULL with why saying there is no archive. */
struct linker *need_linker(struct crate_error *why);
/* The linker and a crate name as a C string, or the reason there are none. */
struct status crate_request(struct str name, char *cname, size_t cap, struct linker **l,
			    struct crate_error *why);
/* The same for a crate that must be loaded: its id too, or "not loaded"
 * (E_NOENT). */
struct status loaded_crate_request(struct str name, char *cname, size_t cap, struct linker **l, uint32_t *id,
				  struct crate_error *why);
/* Drop the images of pushed or copied crates that are no longer loaded. */
void forget_unloaded_pushed(struct linker *l);
/* Is address in c's code? Does the running context's frame chain pass
 * through it? */
bool in_crate_text(const struct loaded_crate *c, uint64_t address);
bool current_stack_in(const struct loaded_crate *c);
/* Let other tasks run for a tick (spin a little without a task crate). */
void let_others_run(struct linker *l);
/* Wait (a tick at a time, about two seconds at most) while another task's
 * linker request is in progress. */
void wait_for_linker(struct linker *l);
/* Name of a loaded crate, "nano_core" for the kernel, "?" otherwise. */
const char *crate_name_of(struct linker *l, uint32_t id);

/* ---- crate_swap.c ---- */

/* Replace loaded crate old_id by new_id once no task executes in OLD and
 * nobody holds a strong reference to it, then run NEW's migration hook.
 * Unless fresh_state (a restart), OLD's FAMILY_save runs first, and the
 * swap is refused with E_PERM when OLD has its own .data/.bss and no
 * FAMILY_save/FAMILY_migrate pair carries it over. Interrupts stay off
 * from the check to the end, crate inits included. *cycles: request to
 * done. */
struct status swap_when_quiescent(struct linker *l, uint32_t old_id, uint32_t new_id, bool fresh_state,
				  struct crate_error *why, uint64_t *cycles);
/* Record a swap request for kernel_swap_history. */
void log_swap(const char *old, const char *new_crate, enum kerr result, uint64_t cycles);

#endif
