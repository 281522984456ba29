/* task: kernel tasks and the scheduling mechanism (run queue, switching,
 * preemption on the timer), with the policy in a separate crate
 * (sched_policy.h). A task owns its stack, its mappings and the heap
 * objects allocated for it (owner = its id); all of them are released when
 * it ends, however it ends. */
#ifndef CRATE_TASK_H
#define CRATE_TASK_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/context.h>
#include <theseus/result.h>
#include <theseus/slice.h>

#define TASK_MAX 64
#define TASK_NAME_MAX 24
#define TASK_STACK_PAGES 4
#define TASK_TIMESLICE_TICKS 4
#define TASK_KILLED (-1000)
#define TASK_FAULTED (-1001)

typedef uint32_t task_id; /* 0: no task */

enum task_state { TASK_FREE, TASK_READY, TASK_RUNNING, TASK_BLOCKED, TASK_SLEEPING, TASK_EXITED };

struct task_info {
	task_id id;
	char name[TASK_NAME_MAX];
	enum task_state state;
	int64_t priority;
	int64_t exit_code; /* valid when EXITED */
	uint64_t switches; /* times it was switched to */
	uint64_t ticks;    /* timer ticks it was running for */
};

RESULT_TYPE(task_result, task_id);

/* A new ready task running entry(arg). */
struct task_result task_spawn(struct str name, task_entry_fn entry, uint64_t arg, int64_t priority);
/* A new task running APP_main(args) of the application crate APP (loaded
 * on demand); its exit code is the application's status. */
struct task_result task_spawn_app(struct str app, struct str args, int64_t priority);

task_id task_current(void);
void task_yield(void);
/* End the calling task; it never runs again, so the call does not come
 * back (not declared [[noreturn]]: crate code may not promise the
 * compiler that a function never returns). */
void task_exit(int64_t code);
/* Block until the task ends; E_NOENT for an unknown (or reused) id. */
struct status task_join(task_id id, int64_t *exit_code);
/* End another task now (or the caller itself); its resources are freed.
 * E_PERM for the boot task (slot 0) and the idle task. */
struct status task_kill(task_id id);
void task_sleep_ticks(uint64_t ticks);
uint64_t task_ticks(void); /* timer ticks since the task crate started */

struct task_list {
	struct task_info tasks[TASK_MAX];
	size_t count;
};

/* Every task, as the caller's copy. */
void task_list(struct task_list *out);
struct str task_state_name(enum task_state state);

/* Wait queues: the blocking primitive channels build on. The queue lives
 * in the client's memory (e.g. inside a channel). */
#define WAITQ_MAX 16
struct waitq {
	task_id waiters[WAITQ_MAX];
	uint32_t len;
};
void waitq_init(struct waitq *q);
/* Block the caller on q until woken. Call with interrupts disabled (the
 * condition was checked under the same disabled section); they are
 * disabled again on return. E_NOMEM when the queue is full. */
struct status waitq_wait(struct waitq *q);
/* Block the caller on q unless *word has changed from `seen` (interrupts
 * need not be off): the look and the block are one step here, so a change
 * made between the caller's own look and this call, which changes *word
 * before it wakes q, is not missed; the call then returns at once. How
 * code that may not disable interrupts blocks, e.g. a channel's endpoints
 * (channel.h): no frame of the crate whose state it waits on stays on the
 * waiter's stack, so that crate can be replaced while tasks wait. */
struct status waitq_wait_unchanged(struct waitq *q, const volatile uint64_t *word, uint64_t seen);
/* Wake the longest waiter / every waiter; returns how many woke. */
uint32_t waitq_wake_one(struct waitq *q);
uint32_t waitq_wake_all(struct waitq *q);

/* Live swap's quiescence check: does the saved stack of any task other
 * than the caller hold an address in [lo, hi) (a return address into a
 * crate's code)? Call with interrupts disabled. */
bool task_stacks_refer_to(uint64_t lo, uint64_t hi);

/* Called by the interrupts crate on every timer interrupt (IRQ 0). */
void task_on_timer_tick(uint8_t irq_line);

#endif
