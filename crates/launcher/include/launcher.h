/* launcher: runs user programs of the image (docs/user-space.md). */
#ifndef CRATE_LAUNCHER_H
#define CRATE_LAUNCHER_H

#include <theseus/result.h>
#include <theseus/slice.h>
#include <theseus/user.h>

/* Run "PROGRAM ARGS..." (words split at spaces; "..." and '...' quote)
 * on the calling task until it ends. */
struct user_result launcher_exec(struct str line);

/* One line on the console: how r ended ("exec: pid 3 exited with status
 * 0 (17 system calls)", "... killed by signal 11 (status 139): ...",
 * "exec: not run: ..."). */
void launcher_report(const struct user_result *r);

/* `spawn launcher PROGRAM ARGS...`: exec on a task of its own, then the report. */
struct status launcher_main(struct str args);

#endif
