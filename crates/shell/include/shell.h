/* shell: the serial console's command interpreter (the default entry crate). */
#ifndef CRATE_SHELL_H
#define CRATE_SHELL_H

#include <theseus/result.h>
#include <theseus/slice.h>

/* The entry: starts the system's services and supervises the console
 * session, replacing one that faults or is killed. Returns E_AGAIN when a
 * new version of the shell waits to take over; otherwise never. */
struct status shell_main(void);

/* One console session (the app "shell_session", a task of its own). */
struct status shell_session_main(struct str args);

#endif
