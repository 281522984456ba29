/* The nano-core's user space (user.c; crates use theseus/user.h). */
#ifndef THESEUS_USER_SPACE_H
#define THESEUS_USER_SPACE_H

/* The system call MSRs, SSE for programs, the ring-3 fault handler;
 * after idt_init and paging_init. */
void user_init(void);

#endif
