/* Tasks: creation, switching, preemption, blocking, and ending. The code
 * of two crates: task (this folder's task.c) and its alternative task_v2
 * (TASK_V2 defined), which share the task table across a live swap, so
 * they agree on its layout; version 2 gives a task a shorter time slice
 * and names the states as the scheduler sees them ("runnable",
 * "waiting"), so that a swap between them can be seen. Included once per
 * crate.
 *
 *
 * The task table below is this crate's state, and unavoidably so: some
 * crate must know every task (the paper's "state that cannot be pushed to
 * clients"). Everything a task owns is tagged with its id in the memory and
 * heap crates, which release it all when the task ends. Interrupts are off
 * whenever the table is touched; the timer handler runs with them off. */
#include <theseus/cpu.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/services.h>
#include <theseus/shared_ref.h>
#include "heap.h"
#include "interrupts.h"
#include "log.h"
#include "memory.h"
#include "pqueue.h"
#include "sched_policy.h"
#include "task.h"
#include "timer.h"

/* Each crate's own file (task.c, task_v2.c) names it with CRATE(...). */
#ifdef TASK_V2
#define SLICE_TICKS (TASK_TIMESLICE_TICKS / 2)
#define THIS_CRATE "task_v2"
#else
#define SLICE_TICKS TASK_TIMESLICE_TICKS
#define THIS_CRATE "task"
#endif

#define APP_NAME_MAX 40
#define APP_ARGS_MAX 96

struct task {
	task_id id;
	enum task_state state;
	char name[TASK_NAME_MAX];
	int64_t priority;
	struct kernel_context context; /* where it resumes when switched out */
	struct mapping stack;
	bool has_stack;
	bool reap_pending; /* exited; resources not yet released */
	struct waitq *blocked_on;
	task_entry_fn entry;
	uint64_t arg;
	int64_t exit_code;
	uint64_t wake_at; /* when sleeping: the tick to wake at */
	uint64_t switches, ticks;
	char app[APP_NAME_MAX];
	char args[APP_ARGS_MAX];
	size_t args_len;
};

#define ENDED_KEPT 16

struct task_table {
	struct task slots[TASK_MAX];
	uint32_t generation[TASK_MAX];
	struct pqueue ready;    /* key: priority; order: the policy */
	struct pqueue sleeping; /* key: wake tick; order: earliest first */
	struct waitq exits;     /* joiners, woken whenever a task ends */
	uint32_t current;       /* slot running now */
	uint32_t idle;          /* slot of the idle task */
	uint64_t now;           /* timer ticks seen */
	uint64_t slice;         /* ticks the current task has run in a row */
	bool started;
	bool preempt_pending;   /* the tick asked for a switch (task_preempt makes it) */
	/* The queues are an index over the slots' states, kept by crates
	 * this one calls (pqueue, the sched_* policy). When they fault or
	 * give an answer the slots contradict, scheduling goes on round robin
	 * over the slots alone, and the queues are rebuilt from the slots
	 * every QUEUE_RETRY_TICKS until that works. */
	bool queues_suspect;
	uint64_t queues_failed_at;
	uint32_t round_robin_next;
	/* The last tasks to end, with their codes: an ended task's slot may
	 * be taken by the next spawn before its joiner looks (the console
	 * session's supervisor wakes only every 50 ticks). */
	struct ended {
		task_id id;
		int64_t code;
	} ended[ENDED_KEPT];
	uint32_t ended_next;
};

#define QUEUE_RETRY_TICKS 100

/* The table lives on the heap, not in this crate's .bss, and this is only
 * a reference to it: a new version takes the table over by reference
 * (task_share, task_migrate), and this version's code, which tasks
 * switched out inside it resume, goes on using the same table until they
 * have returned out of it (the swap retires this version instead of
 * unloading it). So two versions' code may run on it in turn, each with
 * interrupts off while it touches it: they must agree on its layout
 * (TASK_SHARE_FORMAT) and on what its fields mean. */
SHARED_REF(struct task_table, table)

#define T (table())

/* The format of what task_share hands over (table_hand_over). */
#define TASK_SHARE_FORMAT 1

static uint32_t slot_of(task_id id) { return id & 0xff; }

static struct task *task_by_id(task_id id)
{
	uint32_t s = slot_of(id);
	if (id == 0 || s >= TASK_MAX || T->slots[s].id != id || T->slots[s].state == TASK_FREE)
		return NULL;
	return ARRAY_AT(T->slots, s);
}

/* src into the char array dst views, cut to fit, NUL-terminated. */
static void copy_name(struct bytes dst, struct str src)
{
	size_t n = src.len < dst.len - 1 ? src.len : dst.len - 1;
	for (size_t i = 0; i < n; i++)
		bytes_set(dst, i, (unsigned char)str_at(src, i));
	bytes_set(dst, n, 0);
}

static void queues_failed(struct str why)
{
	T->queues_failed_at = T->now;
	if (T->queues_suspect)
		return;
	T->queues_suspect = true;
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("the run queues failed ("));
	fmt_str(&line, why);
	fmt_str(&line, STR("): scheduling round robin over the task table until they are rebuilt"));
	log_line(LOG_ERROR, STR("task"), &line);
}

/* Queue a task as ready. The queue holds TASK_MAX entries and a task is
 * queued at most once, so this cannot fail: if it does, the queue is not
 * to be trusted. (While it is not, a ready slot is all it takes.) */
static void ready_push(uint32_t slot, int64_t priority)
{
	struct task_table *const tt = T;
	if (!tt->queues_suspect && !status_ok(pq_push(&tt->ready, slot, priority)))
		queues_failed(STR("a ready task could not be queued"));
}

/* ---- the queues, under recovery points ----
 * Interrupts are off around each (one at a time), so their arguments and
 * results can pass through this static record. */
static struct {
	struct pq_item item;
	bool found;
	bool consistent;
} q;

static void pop_ready(uint64_t unused)
{
	struct task_table *const tt = T;
	(void)unused;
	q.found = pq_pop(&tt->ready, sched_policy_before, &q.item);
}

static void pop_due_sleeper(uint64_t unused)
{
	(void)unused;
	q.found = pq_peek(&T->sleeping, pq_smallest_key, &q.item) && (uint64_t)q.item.key <= T->now;
	q.consistent = !q.found || pq_remove(&T->sleeping, q.item.id);
}

/* Both queues again from the slots, and a check that they hold them. */
static void rebuild_queues(uint64_t unused)
{
	(void)unused;
	pq_init(&T->ready);
	pq_init(&T->sleeping);
	q.consistent = true;
	for (uint32_t s = 0; s < TASK_MAX; s++) {
		const struct task *t = ARRAY_AT(T->slots, s);
		if (t->state == TASK_READY && s != T->idle)
			q.consistent &= status_ok(pq_push(&T->ready, s, t->priority)) && pq_contains(&T->ready, s);
		else if (t->state == TASK_SLEEPING)
			q.consistent &= status_ok(pq_push(&T->sleeping, s, (int64_t)t->wake_at)) &&
					pq_contains(&T->sleeping, s);
	}
}

static bool run_protected(task_entry_fn fn)
{
	struct fault_report report;
	return status_ok(kernel_run_protected(fn, 0, &report));
}

static void retry_queues(void)
{
	struct task_table *const tt = T;
	if (!tt->queues_suspect || tt->now - tt->queues_failed_at < QUEUE_RETRY_TICKS)
		return;
	if (run_protected(rebuild_queues) && q.consistent) {
		tt->queues_suspect = false;
		log_write(LOG_INFO, STR("task"), STR("run queues rebuilt: the scheduling policy is back"));
	} else {
		tt->queues_failed_at = tt->now;
	}
}

/* The always-present minimal policy: the next ready slot after the last. */
static uint32_t round_robin(void)
{
	struct task_table *const tt = T;
	for (uint32_t i = 0; i < TASK_MAX; i++) {
		uint32_t s = (tt->round_robin_next + i) % TASK_MAX;
		if (s != tt->idle && tt->slots[s].state == TASK_READY) {
			tt->round_robin_next = s + 1;
			return s;
		}
	}
	return tt->idle;
}

static bool some_task_ready(void)
{
	struct task_table *const tt = T;
	for (uint32_t s = 0; s < TASK_MAX; s++)
		if (s != tt->idle && tt->slots[s].state == TASK_READY)
			return true;
	return false;
}

/* The next task to run: the policy's choice, checked against the slots. */
static uint32_t pick_next(void)
{
	struct task_table *const tt = T;
	retry_queues();
	if (!tt->queues_suspect) {
		q.found = false;
		if (!run_protected(pop_ready))
			queues_failed(STR("the policy or the queue faulted"));
		else if (q.found && (q.item.id >= TASK_MAX || q.item.id == tt->idle ||
				     tt->slots[q.item.id].state != TASK_READY))
			queues_failed(STR("it gave a task that is not ready"));
		else if (q.found)
			return q.item.id;
		else if (some_task_ready())
			queues_failed(STR("it lost a ready task"));
		else
			return tt->idle;
	}
	return round_robin();
}

/* Release what ended tasks owned. Never the running task's own stack. */
static void reap_exited(void)
{
	struct task_table *const tt = T;
	for (uint32_t s = 0; s < TASK_MAX; s++) {
		struct task *t = ARRAY_AT(tt->slots, s);
		if (!t->reap_pending || s == tt->current)
			continue;
		t->reap_pending = false;
		if (t->has_stack)
			kernel_stack_discarded(memory_bytes(&t->stack));
		t->has_stack = false;
		if (!status_ok(heap_release_owner(t->id)))
			log_write(LOG_WARN, STR("task"), STR("heap release failed"));
		if (!status_ok(memory_release_owner(t->id)))
			log_write(LOG_WARN, STR("task"), STR("memory release failed"));
	}
}

/* Pick the next task and switch to it. Interrupts must be off. */
static void schedule(void)
{
	struct task_table *const tt = T;
	struct task *cur = ARRAY_AT(tt->slots, tt->current);
	if (cur->state == TASK_RUNNING) {
		cur->state = TASK_READY;
		if (tt->current != tt->idle)
			ready_push(tt->current, cur->priority);
	}
	uint32_t to = pick_next();
	tt->slice = 0;
	tt->preempt_pending = false;
	struct task *t = ARRAY_AT(tt->slots, to);
	t->state = TASK_RUNNING;
	if (to == tt->current) {
		reap_exited();
		return;
	}
	t->switches++;
	uint32_t from = tt->current;
	tt->current = to;
	kernel_context_switch(&ARRAY_AT(tt->slots, from)->context, &t->context);
	/* Running again, possibly much later, on our own stack. */
	reap_exited();
}

static void wake(uint32_t slot)
{
	struct task_table *const tt = T;
	struct task *t = ARRAY_AT(tt->slots, slot);
	if (t->state == TASK_SLEEPING) {
		t->state = TASK_READY;
		ready_push(slot, t->priority);
	}
}

static void wake_sleepers(void)
{
	struct task_table *const tt = T;
	for (uint32_t n = 0; !tt->queues_suspect && n < TASK_MAX; n++) {
		q.found = false;
		if (!run_protected(pop_due_sleeper))
			queues_failed(STR("the sleep queue faulted"));
		else if (q.found && (q.item.id >= TASK_MAX || !q.consistent))
			queues_failed(STR("the sleep queue gave no task"));
		else if (!q.found)
			return;
		else
			wake(q.item.id);
	}
	for (uint32_t s = 0; tt->queues_suspect && s < TASK_MAX; s++)
		if (tt->slots[s].state == TASK_SLEEPING && tt->slots[s].wake_at <= tt->now)
			wake(s);
}

CRATE_EXPORT void task_on_timer_tick(uint8_t irq_line)
{
	struct task_table *const tt = T;
	(void)irq_line;
	if (!tt->started)
		return;
	table_mend();
	tt->now++;
	tt->slots[tt->current].ticks++;
	wake_sleepers();
	tt->slice++;
	/* The switch waits for task_preempt, which the nano-core calls once
	 * the interrupt's dispatch has returned: no task stays switched out
	 * inside the interrupts crate. */
	if (tt->slice >= SLICE_TICKS || tt->current == tt->idle)
		tt->preempt_pending = true;
}

CRATE_EXPORT struct status task_preempt(void)
{
	struct task_table *const tt = T;
	if (tt->started && tt->preempt_pending) {
		tt->preempt_pending = false;
		schedule();
	}
	return STATUS_OK;
}

static void wake_exit_waiters(uint64_t unused)
{
	(void)unused;
	(void)waitq_wake_all(&T->exits);
}

/* Kept for a joiner that comes after the slot was taken again. */
static void note_ended(const struct task *t)
{
	struct ended *e = ARRAY_AT(T->ended, T->ended_next % ENDED_KEPT);
	e->id = t->id;
	e->code = t->exit_code;
	T->ended_next++;
}

static bool ended_code(task_id id, int64_t *code)
{
	for (uint32_t i = 0; i < ENDED_KEPT; i++) {
		const struct ended *e = ARRAY_AT(T->ended, i);
		if (e->id == id && id != 0) {
			*code = e->code;
			return true;
		}
	}
	return false;
}

static void end_current(int64_t code)
{
	(void)cpu_irq_save();
	struct task *cur = ARRAY_AT(T->slots, T->current);
	cur->state = TASK_EXITED;
	cur->exit_code = code;
	cur->reap_pending = true;
	note_ended(cur);
	/* Under a recovery point, as every call on this path: a task's exit
	 * must not take the system down (corrupt code here once looped with
	 * interrupts off until the lockup watchdog's NMI, with nowhere to
	 * unwind to). A joiner not woken is the price. */
	if (!run_protected(wake_exit_waiters))
		queues_failed(STR("waking a task's joiners faulted"));
	schedule();
	/* An exited task is never picked again. */
	for (;;)
		cpu_wait_for_interrupt();
}

CRATE_EXPORT void task_exit(int64_t code) { end_current(code); }


/* Every task starts here, on its own stack. */
static void task_start(uint64_t slot)
{
	bool irq = cpu_irq_save();
	reap_exited();
	cpu_irq_restore(irq);
	struct task *t = ARRAY_AT(T->slots, slot);
	struct fault_report report;
	struct status s = kernel_run_protected(t->entry, t->arg, &report);
	/* Nothing stands in for the idle task: whatever stopped its loop, it
	 * starts again (with interrupts on, as it began). */
	while (slot == T->idle) {
		log_write(LOG_ERROR, STR("task"), STR("the idle loop faulted; it starts again"));
		cpu_irq_enable();
		s = kernel_run_protected(t->entry, t->arg, &report);
	}
	if (s.err == E_FAULT) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("task "));
		fmt_u64(&line, t->id);
		fmt_str(&line, STR(" ("));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(t->name));
		fmt_str(&line, STR(") stopped: exception "));
		fmt_u64(&line, report.vector);
		fmt_str(&line, STR(" in crate "));
		fmt_str(&line, report.crate[0] ? STR_FROM_CSTR_ARRAY(report.crate) : STR("?"));
		log_line(LOG_ERROR, STR("task"), &line);
		end_current(TASK_FAULTED);
	}
	end_current(0);
}

static void idle_loop(uint64_t unused)
{
	(void)unused;
	/* Until a new version's idle task stands in for this one (a live
	 * swap of this crate): then it ends, and so leaves this version. */
	while (T->current == T->idle)
		cpu_wait_for_interrupt();
}

static struct task_result new_task(struct str name, task_entry_fn entry, uint64_t arg, int64_t priority,
				   bool runnable)
{
	bool irq = cpu_irq_save();
	uint32_t s = 0;
	while (s < TASK_MAX && T->slots[s].state != TASK_FREE &&
	       !(T->slots[s].state == TASK_EXITED && !T->slots[s].reap_pending))
		s++;
	if (s == TASK_MAX) {
		cpu_irq_restore(irq);
		return (struct task_result){E_NOMEM, 0};
	}
	T->generation[s] += 1;
	task_id id = (T->generation[s] << 8) | s;
	struct task *t = ARRAY_AT(T->slots, s);
	t->state = TASK_BLOCKED; /* reserved while we set it up */
	cpu_irq_restore(irq);

	struct mapping_result stack = memory_map_stack(TASK_STACK_PAGES, id);
	if (stack.err != E_OK) {
		t->state = TASK_FREE;
		return (struct task_result){stack.err, 0};
	}
	struct context_result sp = kernel_context_init(memory_bytes(&stack.value), task_start, s);
	if (sp.err != E_OK) {
		if (!status_ok(memory_release_owner(id)))
			log_write(LOG_WARN, STR("task"), STR("a failed spawn left its stack mapped"));
		t->state = TASK_FREE;
		return (struct task_result){sp.err, 0};
	}
	irq = cpu_irq_save();
	t->id = id;
	copy_name(BYTES_OF(t->name), name);
	t->priority = priority;
	t->context = sp.value;
	t->stack = stack.value;
	t->has_stack = true;
	t->reap_pending = false;
	t->blocked_on = NULL;
	t->entry = entry;
	t->arg = arg;
	t->exit_code = 0;
	t->switches = 0;
	t->ticks = 0;
	t->args_len = 0;
	t->state = runnable ? TASK_READY : TASK_BLOCKED;
	if (runnable)
		ready_push(s, priority);
	cpu_irq_restore(irq);
	return (struct task_result){E_OK, id};
}

CRATE_EXPORT struct task_result task_spawn(struct str name, task_entry_fn entry, uint64_t arg, int64_t priority)
{
	if (!entry)
		return (struct task_result){E_INVAL, 0};
	return new_task(name, entry, arg, priority, true);
}

static void app_entry(uint64_t slot)
{
	struct task *t = ARRAY_AT(T->slots, slot);
	struct crate_error why;
	why.text[0] = '\0';
	struct fmt_line symbol;
	fmt_clear(&symbol);
	fmt_str(&symbol, STR_FROM_CSTR_ARRAY(t->app));
	fmt_str(&symbol, STR("_main"));
	struct status s;
	for (;;) {
		struct crate_handle serving;
		struct crate_error unused;
		bool known = status_ok(kernel_crate_find(STR_FROM_CSTR_ARRAY(t->app), &serving, &unused));
		s = kernel_call_app(fmt_view(&symbol), STR_FROM_ARRAY(t->args, t->args_len), &why);
		/* An application that never returns by itself (a receiver's
		 * loop) steps out with E_AGAIN once its crate was replaced and
		 * retired under it (kernel_crate_caller_retired): it is entered
		 * again, in the version that serves now. Any other E_AGAIN (the
		 * console session stepping aside for a swap of the shell, whose
		 * crate is still in service) ends the task as before. */
		struct crate_summary about;
		bool replaced = known && (!status_ok(kernel_crate_describe(&serving, &about)) || about.retired);
		if (s.err != E_AGAIN || !replaced)
			break;
		why.text[0] = '\0';
	}
	if (s.err != E_OK && why.text[0]) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR_FROM_CSTR_ARRAY(t->app));
		fmt_str(&line, STR(": "));
		fmt_str(&line, STR_FROM_CSTR_ARRAY(why.text));
		log_line(LOG_ERROR, STR("task"), &line);
	}
	end_current(s.err == E_OK ? 0 : -(int64_t)s.err);
}

CRATE_EXPORT struct task_result task_spawn_app(struct str app, struct str args, int64_t priority)
{
	if (app.len == 0 || app.len >= APP_NAME_MAX || args.len > APP_ARGS_MAX)
		return (struct task_result){E_INVAL, 0};
	struct task_result r = new_task(app, app_entry, 0, priority, false);
	if (r.err != E_OK)
		return r;
	bool irq = cpu_irq_save();
	struct task *t = ARRAY_AT(T->slots, slot_of(r.value));
	copy_name(BYTES_OF(t->app), app);
	for (size_t i = 0; i < args.len; i++)
		t->args[i] = str_at(args, i);
	t->args_len = args.len;
	t->arg = slot_of(r.value);
	t->state = TASK_READY;
	ready_push(slot_of(r.value), t->priority);
	cpu_irq_restore(irq);
	return r;
}

CRATE_EXPORT task_id task_current(void) { struct task_table *const tt = T; return tt->slots[tt->current].id; }

CRATE_EXPORT void task_yield(void)
{
	bool irq = cpu_irq_save();
	schedule();
	cpu_irq_restore(irq);
}

CRATE_EXPORT void task_sleep_ticks(uint64_t ticks)
{
	struct task_table *const tt = T;
	bool irq = cpu_irq_save();
	struct task *cur = ARRAY_AT(tt->slots, tt->current);
	if (tt->current != tt->idle) {
		cur->wake_at = tt->now + ticks;
		if (!tt->queues_suspect && !status_ok(pq_push(&tt->sleeping, tt->current, (int64_t)cur->wake_at)))
			queues_failed(STR("a sleeping task could not be queued"));
		cur->state = TASK_SLEEPING;
		schedule();
	}
	cpu_irq_restore(irq);
}

CRATE_EXPORT uint64_t task_ticks(void) { return T->now; }

CRATE_EXPORT struct status task_join(task_id id, int64_t *exit_code)
{
	bool irq = cpu_irq_save();
	for (;;) {
		struct task *t = task_by_id(id);
		if (!t && ended_code(id, exit_code)) {
			cpu_irq_restore(irq);
			return STATUS_OK; /* it ended, and its slot is taken again */
		}
		if (!t || t == ARRAY_AT(T->slots, T->current)) {
			cpu_irq_restore(irq);
			return STATUS(t ? E_INVAL : E_NOENT);
		}
		if (t->state == TASK_EXITED) {
			*exit_code = t->exit_code;
			cpu_irq_restore(irq);
			return STATUS_OK;
		}
		struct status s = waitq_wait(&T->exits);
		if (!status_ok(s)) {
			cpu_irq_restore(irq);
			return s;
		}
	}
}

static void waitq_remove(struct waitq *q, task_id slot);

CRATE_EXPORT struct status task_kill(task_id id)
{
	bool irq = cpu_irq_save();
	struct task *t = task_by_id(id);
	/* Neither the idle task nor the boot task (slot 0, where the entry
	 * supervises the console) may go: nothing would stand in for them. */
	bool essential = slot_of(id) == T->idle || slot_of(id) == 0;
	if (!t || t->state == TASK_EXITED || essential) {
		cpu_irq_restore(irq);
		return STATUS(t && essential ? E_PERM : E_NOENT);
	}
	if (slot_of(id) == T->current)
		end_current(TASK_KILLED);
	if (t->state == TASK_READY && !T->queues_suspect)
		pq_remove(&T->ready, slot_of(id));
	else if (t->state == TASK_SLEEPING && !T->queues_suspect)
		pq_remove(&T->sleeping, slot_of(id));
	else if (t->state == TASK_BLOCKED && t->blocked_on)
		waitq_remove(t->blocked_on, slot_of(id));
	t->state = TASK_EXITED;
	t->exit_code = TASK_KILLED;
	t->reap_pending = true;
	note_ended(t);
	(void)waitq_wake_all(&T->exits);
	reap_exited();
	cpu_irq_restore(irq);
	return STATUS_OK;
}

CRATE_EXPORT void task_list(struct task_list *out)
{
	bool irq = cpu_irq_save();
	size_t n = 0;
	for (uint32_t s = 0; s < TASK_MAX; s++) {
		const struct task *t = ARRAY_AT(T->slots, s);
		if (t->state == TASK_FREE || (t->state == TASK_EXITED && !t->reap_pending && t->id == 0))
			continue;
		if (n < TASK_MAX) {
			struct task_info *i = ARRAY_AT(out->tasks, n);
			i->id = t->id;
			for (size_t c = 0; c < TASK_NAME_MAX; c++)
				i->name[c] = t->name[c];
			i->state = t->state;
			i->priority = t->priority;
			i->exit_code = t->exit_code;
			i->switches = t->switches;
			i->ticks = t->ticks;
		}
		n++;
	}
	out->count = n;
	cpu_irq_restore(irq);
}

CRATE_EXPORT bool task_stacks_refer_to(uint64_t lo, uint64_t hi)
{
	for (uint32_t s = 0; s < TASK_MAX; s++) {
		const struct task *t = ARRAY_AT(T->slots, s);
		/* An ended task never runs again: what its stack says is dead. */
		if (s == T->current || t->state == TASK_FREE || t->state == TASK_EXITED)
			continue;
		/* Slot 0 is the boot context: its stack is the nano-core's. */
		struct bytes stack = s == 0 ? kernel_boot_stack() : memory_bytes(&t->stack);
		if (kernel_stack_refers_to(stack, &t->context, lo, hi))
			return true;
	}
	return false;
}

CRATE_EXPORT struct str task_state_name(enum task_state state)
{
	switch (state) {
	case TASK_FREE: return STR("free");
#ifdef TASK_V2
	case TASK_READY: return STR("runnable");
#else
	case TASK_READY: return STR("ready");
#endif
	case TASK_RUNNING: return STR("running");
#ifdef TASK_V2
	case TASK_BLOCKED: return STR("waiting");
#else
	case TASK_BLOCKED: return STR("blocked");
#endif
	case TASK_SLEEPING: return STR("sleeping");
	case TASK_EXITED: return STR("exited");
	}
	return STR("?");
}

/* ---- wait queues (slots are stored; ids are what clients see) ---- */

CRATE_EXPORT void waitq_init(struct waitq *q) { q->len = 0; }

static void waitq_remove(struct waitq *q, task_id slot)
{
	for (uint32_t i = 0; i < q->len && i < WAITQ_MAX; i++) {
		if (q->waiters[i] == slot) {
			for (uint32_t j = i + 1; j < q->len && j < WAITQ_MAX; j++)
				q->waiters[j - 1] = q->waiters[j];
			q->len--;
			return;
		}
	}
}

CRATE_EXPORT struct status waitq_wait(struct waitq *q)
{
	struct task_table *const tt = T;
	if (q->len >= WAITQ_MAX || tt->current == tt->idle)
		return STATUS(E_NOMEM);
	q->waiters[q->len] = tt->current;
	q->len++;
	struct task *cur = ARRAY_AT(tt->slots, tt->current);
	cur->state = TASK_BLOCKED;
	cur->blocked_on = q;
	schedule();
	cur->blocked_on = NULL;
	return STATUS_OK;
}

CRATE_EXPORT struct status waitq_wait_unchanged(struct waitq *q, const volatile uint64_t *word, uint64_t seen)
{
	bool irq = cpu_irq_save();
	struct status s = *word == seen ? waitq_wait(q) : STATUS_OK;
	cpu_irq_restore(irq);
	return s;
}

/* A length past the array is corrupt (code that ran corrupt wrote it):
 * only the waiters the array can list exist. Without this, waking all of
 * them looped over the bad length with interrupts off. */
static void waitq_clamp(struct waitq *q)
{
	if (q->len > WAITQ_MAX)
		q->len = WAITQ_MAX;
}

static void make_ready(uint32_t slot)
{
	struct task_table *const tt = T;
	struct task *t = ARRAY_AT(tt->slots, slot);
	if (t->state != TASK_BLOCKED)
		return;
	t->state = TASK_READY;
	t->blocked_on = NULL;
	ready_push(slot, t->priority);
}

CRATE_EXPORT uint32_t waitq_wake_one(struct waitq *q)
{
	bool irq = cpu_irq_save();
	uint32_t woke = 0;
	waitq_clamp(q);
	if (q->len) {
		uint32_t slot = q->waiters[0];
		waitq_remove(q, slot);
		make_ready(slot);
		woke = 1;
	}
	cpu_irq_restore(irq);
	return woke;
}

CRATE_EXPORT uint32_t waitq_wake_all(struct waitq *q)
{
	bool irq = cpu_irq_save();
	uint32_t woke = 0;
	waitq_clamp(q);
	while (q->len) {
		uint32_t slot = q->waiters[0];
		waitq_remove(q, slot);
		make_ready(slot);
		woke++;
	}
	cpu_irq_restore(irq);
	return woke;
}

/* ---- start-up ---- */

/* KERNEL_SERVICE_ABANDON: a fault overran the current task's stack past
 * its recovery points, so it cannot be unwound; it ends here, as if
 * killed. An interrupt handler's overrun lands on whatever task it
 * interrupted, often the idle task: a fresh idle task stands in for it.
 * The boot task cannot end: the caller halts then. */
CRATE_EXPORT void task_abandon_current(uint64_t vector)
{
	(void)vector;
	if (!T->started || T->current == 0)
		return;
	if (T->current == T->idle) {
		struct task_result idle = new_task(STR("idle"), idle_loop, 0, -1000, false);
		if (idle.err != E_OK)
			return;
		T->idle = slot_of(idle.value);
		T->slots[T->idle].state = TASK_READY;
	}
	end_current(TASK_KILLED);
}

struct status task_init(void);
struct status task_init(void)
{
	/* A new version, in a live swap's window: the table and everything
	 * registered come from the version it replaces (task_migrate). */
	if (kernel_swap_in_progress())
		return STATUS_OK;
	/* Loaded beside a running version (`load task_v2`): a second table
	 * would hold a second idle task nobody schedules. Refused. */
	struct crate_handle serving;
	struct crate_summary about;
	struct crate_error why;
	if (status_ok(kernel_crate_find(STR("task"), &serving, &why)) &&
	    status_ok(kernel_crate_describe(&serving, &about)) && about.loaded &&
	    !str_eq(STR_FROM_CSTR_ARRAY(about.name), STR(THIS_CRATE)))
		return STATUS(E_BUSY);
	struct task_table *made_table = NULL;
	struct status made = HEAP_NEW(struct task_table, &made_table, HEAP_OWNER_KERNEL);
	if (!status_ok(made))
		return made;
	table_set(made_table);
	pq_init(&T->ready);
	pq_init(&T->sleeping);
	waitq_init(&T->exits);
	/* Whoever loaded us (the shell, on the boot stack) becomes task 1. */
	T->generation[0] = 1;
	T->slots[0] = (struct task){.id = (1u << 8) | 0, .state = TASK_RUNNING, .priority = 0};
	copy_name(BYTES_OF(T->slots[0].name), STR("kernel"));
	T->current = 0;
	struct task_result idle = new_task(STR("idle"), idle_loop, 0, -1000, false);
	if (idle.err != E_OK)
		return STATUS(idle.err);
	T->idle = slot_of(idle.value);
	T->slots[T->idle].state = TASK_READY;
	/* Preemption needs a running tick: importing the timer loads it (its
	 * init starts the PIT and enables interrupts). */
	if (timer_hz() == 0)
		return STATUS(E_NOENT);
	/* What the nano-core asks of tasks: whether one executes in a crate
	 * (a swap's quiescence), and to let others run while it waits. */
	struct status s = kernel_service_register(KERNEL_SERVICE_STACKS_IN, STR("task_stacks_refer_to"));
	if (status_ok(s))
		s = kernel_service_register(KERNEL_SERVICE_SLEEP, STR("task_sleep_ticks"));
	if (status_ok(s))
		s = kernel_service_register(KERNEL_SERVICE_PREEMPT, STR("task_preempt"));
	if (status_ok(s))
		s = kernel_service_register(KERNEL_SERVICE_ABANDON, STR("task_abandon_current"));
	if (!status_ok(s))
		return s;
	T->started = true;
	return interrupts_register(TIMER_IRQ_LINE, STR("task_on_timer_tick"));
}

/* ---- live replacement ---- */

/* The save hook of a live swap (interrupts off): the table, by
 * reference. The evolution crate takes a `_share` hook to mean that this
 * version's code may run on beside the new one. */
CRATE_EXPORT struct status task_share(void)
{
	return table_hand_over(TASK_SHARE_FORMAT);
}

/* The new version takes the table over. The tasks, their queues and the
 * registrations (timer handler, nano-core services: all by name) stay as
 * they are; only the idle task, which never returns out of this crate by
 * itself, is replaced by one of this version: the old one ends when it
 * next runs. A table of another layout is refused, and the swap undone. */
CRATE_EXPORT struct status task_migrate(uint32_t from_major)
{
	(void)from_major; /* the record's format says what it holds */
	struct status s = table_take_over(TASK_SHARE_FORMAT);
	if (!status_ok(s))
		return s;
	uint32_t old_idle = T->idle;
	struct task_result idle = new_task(STR("idle"), idle_loop, 0, -1000, false);
	if (idle.err != E_OK)
		return STATUS(idle.err);
	bool irq = cpu_irq_save();
	T->idle = slot_of(idle.value);
	T->slots[T->idle].state = TASK_READY;
	/* The old idle task runs as any task now, to its end. */
	struct task *old = ARRAY_AT(T->slots, old_idle);
	if (old->state == TASK_READY)
		ready_push(old_idle, old->priority);
	cpu_irq_restore(irq);
	return STATUS_OK;
}
