/* process: the system call server of user programs (docs/user-space.md).
 * The code is process_server.h, shared with the alternative process_v2. */
#include "process_server.h"
