/* The nano-core's side of the runtime linker: it owns the one `struct
 * linker`, gives it memory, page permissions and fault protection, and
 * starts the entry crate. */
#ifndef THESEUS_CRATE_ENV_H
#define THESEUS_CRATE_ENV_H

#include "kernel.h"
#include "linker/linker.h"

/* The boot module that holds the crate archive, or NULL. */
const struct boot_module *crates_archive_module(void);

/* Open the archive and set up the linker; false (reason printed) when
 * there is no usable archive. */
bool crates_init(void);
struct linker *crates_linker(void);

/* Resolve `symbol` (loading its crate on demand) and call it as
 * `struct status fn(void)` under fault protection. */
struct status crates_run_entry(const char *symbol, struct link_error *err);

/* Unload, over and over, every loaded crate nothing uses any more (an
 * import cycle goes as a whole: linker_unload_cycle). */
void crates_unload_unused(struct linker *l);
/* While on, a crate init that enables interrupts has them disabled again
 * (a live swap in progress, crate_swap.c). */
void crates_keep_interrupts_off(bool on);
bool crates_is_loaded(const struct linker *l, const char *name);
/* Wait (a tick at a time, about two seconds at most) while another task's
 * linker request is in progress. */
void crates_wait_for_linker(struct linker *l);

/* Look up a nano-core export by name. */
bool kernel_export_lookup(const char *name, uint64_t *address);

#endif
