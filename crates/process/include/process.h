/* process: user programs and their system calls (docs/user-space.md).
 * The policy half of user space: which Linux x86-64 system calls exist
 * and what they do, served for the nano-core's mechanism
 * (theseus/user.h). Keeps no state of its own (per-process values live in
 * the process record), so it can be swapped while programs run. */
#ifndef CRATE_PROCESS_H
#define CRATE_PROCESS_H

#include <theseus/result.h>
#include <theseus/slice.h>
#include <theseus/user.h>

/* Registers process_syscall as the system call service. */
struct status process_init(void);

/* The system call service: one call of the running program. */
void process_syscall(struct user_syscall *call);

#endif
