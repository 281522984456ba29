/* task_v2: the task crate's code (task_core.h) built as its alternative:
 * shorter time slices, and the states named as the scheduler sees them.
 * It takes the task table over by reference, as any new version of task
 * does (task_share, task_migrate): `swap task task_v2` while every task
 * is inside task, and back. */
#include <theseus/crate.h>

CRATE("task_v2", "2.0.0", "kernel tasks, version 2: shorter time slices, states named as scheduled", "task_init",
      "task", "fmt,pqueue,sched_rr,memory,heap,interrupts,timer,log");

#define TASK_V2 1
#include "task_core.h"
