/* task: kernel tasks. The code is include/task_core.h, shared with the
 * alternative task_v2. */
#include <theseus/crate.h>

CRATE("task", "1.0.0", "kernel tasks: spawn, switch, preempt, block, exit; policy in sched_*", "task_init", "",
      "fmt,pqueue,sched_rr,memory,heap,interrupts,timer,log");

#include "task_core.h"
