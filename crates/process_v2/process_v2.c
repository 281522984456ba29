/* process_v2: the system call server, version 2: the process crate's code
 * (process_server.h) built as its alternative; uname's version field says
 * which one serves, so that a live swap under a running program shows. */
#define PROCESS_V2 1
#include "process_server.h"
