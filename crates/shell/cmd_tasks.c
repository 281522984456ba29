/* Commands about tasks, time and memory: tasks, spawn, kill, uptime, mem. */
#include <theseus/alloc.h>
#include "heap.h"
#include "memory.h"
#include "shell_internal.h"
#include "task.h"
#include "timer.h"

/* A snapshot of the task list, on the heap: it is too big for a task's
 * stack (safe-C rule stack-frame). NULL when there is no memory. */
static struct task_list *task_list_snapshot(void)
{
	struct task_list *list = NULL;
	if (!status_ok(HEAP_NEW(struct task_list, &list, task_current())))
		return NULL;
	task_list(list);
	return list;
}

static void drop_snapshot(struct task_list *list)
{
	if (!status_ok(HEAP_FREE(list)))
		out_str(STR("tasks: could not free the task list\n"));
}

void cmd_tasks(struct str args)
{
	(void)args;
	struct task_list *list = task_list_snapshot();
	if (!list) {
		out_str(STR("tasks: out of memory\n"));
		return;
	}
	size_t n = list->count;
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("id      name                     state     prio  switches ticks"));
	out_line(&line);
	for (size_t i = 0; i < n && i < TASK_MAX; i++) {
		const struct task_info *ti = ARRAY_AT(list->tasks, i);
		fmt_clear(&line);
		fmt_u64(&line, ti->id);
		while (line.len < 8)
			fmt_char(&line, ' ');
		fmt_str(&line, STR_FROM_CSTR_ARRAY(ti->name));
		while (line.len < 33)
			fmt_char(&line, ' ');
		fmt_str(&line, task_state_name(ti->state));
		while (line.len < 43)
			fmt_char(&line, ' ');
		fmt_i64(&line, ti->priority);
		while (line.len < 49)
			fmt_char(&line, ' ');
		fmt_u64(&line, ti->switches);
		while (line.len < 58)
			fmt_char(&line, ' ');
		fmt_u64(&line, ti->ticks);
		if (ti->state == TASK_EXITED) {
			fmt_str(&line, STR("  exit "));
			fmt_i64(&line, ti->exit_code);
		}
		out_line(&line);
	}
	drop_snapshot(list);
}

/* How long spawn lets a new task run before the prompt comes back. */
#define SPAWN_SETTLE_TICKS 100

/* Is there a task that has not ended with this id (id != 0) or, for
 * id 0, this name? */
static bool task_alive(task_id id, struct str name)
{
	struct task_list *list = task_list_snapshot();
	bool alive = false;
	for (size_t i = 0; list && i < list->count && i < TASK_MAX; i++) {
		const struct task_info *t = ARRAY_AT(list->tasks, i);
		bool match = id ? t->id == id : str_eq(STR_FROM_CSTR_ARRAY(t->name), name);
		if (match && t->state != TASK_EXITED)
			alive = true;
	}
	if (list)
		drop_snapshot(list);
	return alive;
}

bool task_named_alive(struct str name) { return task_alive(0, name); }

void cmd_spawn(struct str args)
{
	struct str app = word_at(args, 0);
	if (app.len == 0) {
		out_str(STR("usage: spawn APP [ARGS]\n"));
		return;
	}
	struct task_result r = task_spawn_app(app, rest_after(args, 0), 0);
	struct fmt_line line;
	fmt_clear(&line);
	if (r.err != E_OK) {
		fmt_str(&line, STR("spawn: cannot start a task for "));
		fmt_str(&line, app);
	} else {
		fmt_str(&line, STR("spawned task "));
		fmt_u64(&line, r.value);
		fmt_str(&line, STR(" ("));
		fmt_str(&line, app);
		fmt_char(&line, ')');
	}
	out_line(&line);
	/* Let a short program finish before the prompt comes back, so its
	 * output comes first (the shell now sleeps between keys, so one
	 * yield no longer gave it enough); long ones go on in the background
	 * after SPAWN_SETTLE_TICKS. */
	for (int tick = 0; r.err == E_OK && tick < SPAWN_SETTLE_TICKS && task_alive(r.value, STR_EMPTY); tick++)
		task_sleep_ticks(1);
}

void cmd_kill(struct str args)
{
	uint64_t id;
	if (!fmt_parse_u64(word_at(args, 0), 19, &id) || id > UINT32_MAX) {
		out_str(STR("usage: kill ID (see tasks)\n"));
		return;
	}
	struct status s = task_kill((task_id)id);
	if (s.err == E_OK)
		out_str(STR("killed\n"));
	else if (s.err == E_PERM)
		out_str(STR("kill: the boot and idle tasks cannot be killed (the console session can: it is restarted)\n"));
	else
		out_str(STR("kill: no such task\n"));
}

void cmd_sleep(struct str args)
{
	uint64_t ms;
	if (!fmt_parse_u64(word_at(args, 0), 19, &ms) || ms > 60000) {
		out_str(STR("usage: sleep MS (at most 60000)\n"));
		return;
	}
	/* The timer ticks at timer_hz(); round up so the wait is never short. */
	task_sleep_ticks((ms * timer_hz() + 999) / 1000);
}

void cmd_uptime(struct str args)
{
	(void)args;
	uint64_t ms = timer_uptime_ms();
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("up "));
	fmt_u64(&line, ms / 1000);
	fmt_char(&line, '.');
	size_t mark = line.len;
	fmt_u64(&line, ms % 1000);
	while (line.len - mark < 3) { /* zero-pad the milliseconds */
		fmt_char(&line, '0');
		for (size_t i = line.len - 1; i > mark; i--)
			line.text[i] = line.text[i - 1];
		line.text[mark] = '0';
	}
	fmt_str(&line, STR(" s, "));
	fmt_u64(&line, timer_ticks());
	fmt_str(&line, STR(" timer ticks at "));
	fmt_u64(&line, timer_hz());
	fmt_str(&line, STR(" Hz"));
	out_line(&line);
}

static void mem_row(struct str what, uint64_t value, struct str unit)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("  "));
	fmt_str(&line, what);
	while (line.len < 24)
		fmt_char(&line, ' ');
	fmt_u64(&line, value);
	fmt_char(&line, ' ');
	fmt_str(&line, unit);
	out_line(&line);
}

void cmd_mem(struct str args)
{
	(void)args;
	struct memory_stats m = memory_stats(MEMORY_ALL_OWNERS);
	struct heap_stats h = heap_stats(HEAP_ALL_OWNERS);
	out_str(STR("frames:\n"));
	mem_row(STR("total"), m.frames_total * 4, STR("KiB"));
	mem_row(STR("free"), m.frames_free * 4, STR("KiB"));
	mem_row(STR("page tables"), m.page_table_frames * 4, STR("KiB"));
	out_str(STR("mappings:\n"));
	mem_row(STR("live"), m.mappings, STR(""));
	mem_row(STR("pages mapped"), m.pages_mapped, STR("pages"));
	mem_row(STR("of which stacks"), m.stack_pages, STR("pages"));
	out_str(STR("heap:\n"));
	mem_row(STR("in use"), h.bytes_in_use, STR("bytes"));
	mem_row(STR("peak"), h.peak_bytes, STR("bytes"));
	mem_row(STR("objects"), h.objects, STR(""));
}
