/* task: kernel tasks. The code is include/task_core.h, shared with the
 * alternative task_v2. */
#include "task_core.h"
