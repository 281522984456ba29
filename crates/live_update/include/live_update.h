/* live_update: receives crates pushed from the host on COM2 and swaps
 * them into the running system (docs/live-update.md). */
#ifndef CRATE_LIVE_UPDATE_H
#define CRATE_LIVE_UPDATE_H

#include <theseus/result.h>
#include <theseus/slice.h>

/* Largest pushed archive accepted, in bytes. */
#define LIVE_UPDATE_MAX_IMAGE (4u << 20)
/* A push that stalls this long mid-frame is abandoned. */
#define LIVE_UPDATE_STALL_MS 3000u

/* The receiver task's body: `spawn live_update` (or the boot option
 * spawn=live_update). Ends at once, with E_NOENT, when there is no COM2. */
struct status live_update_main(struct str args);

#endif
