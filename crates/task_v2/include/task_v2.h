/* task_v2: the alternative of task (same interface: task.h). */
#ifndef CRATE_TASK_V2_H
#define CRATE_TASK_V2_H

#include "task.h"

#endif
