/* The command loop. Built-in commands are a table here; applications are
 * crates, loaded on demand the first time they run (`run APP`). */
#include <theseus/alloc.h>
#include <theseus/boot_options.h>
#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/crates.h>
#include <theseus/user.h>
#include "shell.h"
#include "evolution.h"
#include "shell_internal.h"
#include "launcher.h"
#include "task.h"

CRATE("shell", "1.0.0", "the serial console's command interpreter", "", "", "fmt,task,memory,heap,timer,evolution,recovery,launcher");

#define PROMPT "theseus> "

void out_str(struct str s) { kernel_console_write(s); }

void out_line(const struct fmt_line *line)
{
	struct fmt_line whole = *line;
	fmt_char(&whole, '\n');
	kernel_console_write(fmt_view(&whole));
	if (whole.truncated) /* the line was full: the newline did not fit */
		kernel_console_write(STR("\n"));
}

static bool is_space(char c) { return c == ' ' || c == '\t'; }

/* Start of word `index`, or text.len. */
static size_t word_start(struct str text, size_t index)
{
	size_t i = 0;
	for (size_t w = 0;; w++) {
		while (i < text.len && is_space(str_at(text, i)))
			i++;
		if (w == index || i == text.len)
			return i;
		while (i < text.len && !is_space(str_at(text, i)))
			i++;
	}
}

struct str word_at(struct str text, size_t index)
{
	size_t from = word_start(text, index);
	size_t to = from;
	while (to < text.len && !is_space(str_at(text, to)))
		to++;
	return str_sub(text, from, to - from);
}

struct str rest_after(struct str text, size_t index)
{
	size_t from = word_start(text, index + 1);
	return str_sub(text, from, text.len - from);
}

static void cmd_help(struct str args);

static void cmd_echo(struct str args)
{
	out_str(args);
	out_str(STR("\n"));
}

/* exec PROGRAM ARGS...: run a program of the image in ring 3 on this
 * task; its output goes to the console, then how it ended. */
static void cmd_exec(struct str args)
{
	struct user_result r = launcher_exec(args);
	launcher_report(&r);
}

/* ps: the user processes running now. */
static void cmd_ps(struct str args)
{
	(void)args;
	struct user_proc_info procs[16] = {};
	size_t n = kernel_user_list(procs, 16);
	out_str(STR("pid     program          pages   system calls\n"));
	for (size_t i = 0; i < n && i < 16; i++) {
		struct fmt_line line;
		fmt_clear(&line);
		size_t mark = line.len;
		fmt_u64(&line, procs[i].pid);
		while (line.len < mark + 8)
			fmt_char(&line, ' ');
		fmt_str(&line, STR_FROM_CSTR_ARRAY(procs[i].name));
		while (line.len < mark + 25)
			fmt_char(&line, ' ');
		fmt_u64(&line, procs[i].pages);
		while (line.len < mark + 33)
			fmt_char(&line, ' ');
		fmt_u64(&line, procs[i].syscalls);
		out_line(&line);
	}
}

static void cmd_shutdown(struct str args)
{
	(void)args;
	kernel_power_off();
}

struct command {
	struct str name;
	struct str usage;
	struct str help;
	void (*run)(struct str args);
};

static const struct command commands[] = {
	{STR("help"), STR("help"), STR("list the commands"), cmd_help},
	{STR("crates"), STR("crates [--all]"), STR("loaded crates (with --all, the whole archive)"), cmd_crates},
	{STR("deps"), STR("deps CRATE [--sections]"), STR("what CRATE imports from whom, and who imports from it"), cmd_deps},
	{STR("syms"), STR("syms CRATE"), STR("the symbols CRATE exports"), cmd_syms},
	{STR("sections"), STR("sections CRATE"), STR("where a loaded CRATE's sections lie"), cmd_sections},
	{STR("load"), STR("load CRATE"), STR("load CRATE and what it needs"), cmd_load},
	{STR("unload"), STR("unload CRATE"), STR("unload CRATE if nothing uses it"), cmd_unload},
	{STR("run"), STR("run APP [ARGS]"), STR("call APP_main(ARGS) of crate APP, loading it on demand"), cmd_run},
	{STR("swap"), STR("swap OLD NEW"), STR("replace loaded crate OLD by NEW in the running system"), cmd_swap},
	{STR("history"), STR("history"), STR("the live swaps of this boot, with their times"), cmd_history},
	{STR("evolve"), STR("evolve all|CRATE..."), STR("replace crates by their other version and back, or restart them"), cmd_evolve},
	{STR("restart"), STR("restart [--fresh] CRATE"), STR("swap CRATE for a fresh copy of itself, its state kept (or anew)"), cmd_restart},
	{STR("inject"), STR("inject CRATE SYMBOL"), STR("make the next call of CRATE's SYMBOL fault"), cmd_inject},
	{STR("recover"), STR("recover [POLICY]"), STR("the fault policy: repair (default), restart or none"), cmd_recover},
	{STR("tasks"), STR("tasks"), STR("the tasks: id, name, state, priority, switches, ticks"), cmd_tasks},
	{STR("spawn"), STR("spawn APP [ARGS]"), STR("start a task running APP_main(ARGS) of crate APP"), cmd_spawn},
	{STR("kill"), STR("kill ID"), STR("end task ID and free what it owned"), cmd_kill},
	{STR("mem"), STR("mem"), STR("frames, mappings and heap figures"), cmd_mem},
	{STR("uptime"), STR("uptime"), STR("time since the timer started"), cmd_uptime},
	{STR("sleep"), STR("sleep MS"), STR("let the shell's task sleep MS milliseconds"), cmd_sleep},
	{STR("echo"), STR("echo TEXT"), STR("print TEXT"), cmd_echo},
	{STR("exec"), STR("exec PROGRAM [ARGS]"), STR("run a user program of the image in ring 3, show how it ended"), cmd_exec},
	{STR("ps"), STR("ps"), STR("the user processes running (spawn launcher PROGRAM runs one beside the shell)"), cmd_ps},
	{STR("shutdown"), STR("shutdown"), STR("power off"), cmd_shutdown},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void cmd_help(struct str args)
{
	(void)args;
	out_str(STR("shell commands:\n"));
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("  "));
		size_t mark = line.len;
		fmt_str(&line, commands[i].usage);
		while (line.len < mark + 26)
			fmt_char(&line, ' ');
		fmt_str(&line, commands[i].help);
		out_line(&line);
	}
}

static void dispatch(struct str text)
{
	struct str name = word_at(text, 0);
	if (name.len == 0)
		return;
	for (size_t i = 0; i < COMMAND_COUNT; i++) {
		if (str_eq(name, commands[i].name)) {
			commands[i].run(rest_after(text, 0));
			return;
		}
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("unknown command: "));
	fmt_str(&line, name);
	fmt_str(&line, STR(" (type help)"));
	out_line(&line);
}

/* Boot option spawn=APP[,APP...]: start these applications as tasks
 * before the first prompt (`./theseus run` starts the live_update
 * receiver this way). A shell restarted by a swap finds them running
 * and leaves them. */
static void spawn_boot_apps(void)
{
	char value[128];
	size_t len;
	if (!kernel_boot_option(STR("spawn"), BYTES_OF(value), &len))
		return;
	struct str list = STR_FROM_ARRAY(value, len);
	size_t from = 0;
	for (size_t i = 0; i <= list.len; i++) {
		if (i < list.len && str_at(list, i) != ',')
			continue;
		if (i > from && !task_named_alive(str_sub(list, from, i - from)))
			cmd_spawn(str_sub(list, from, i - from));
		from = i + 1;
	}
}

/* One console session: the read-and-dispatch loop, in a task of its own
 * (the app "shell_session"). Returns E_AGAIN when a new version of the
 * shell waits for it to step aside; its line history goes with it. */
CRATE_EXPORT struct status shell_session_main(struct str args)
{
	(void)args;
	/* On the heap (2.5 KiB): every command runs above this frame, and a
	 * fault's recovery, with an interrupt nested on it, can go deep. The
	 * block is the session task's: a killed session's goes with it. */
	struct shell_history *history = NULL;
	if (!status_ok(HEAP_NEW(struct shell_history, &history, task_current()))) {
		out_str(STR("shell: no memory for the session's history\n"));
		return STATUS(E_NOMEM);
	}
	struct shell_line line;
	history->count = 0;
	for (;;) {
		if (!shell_read_line(STR(PROMPT), &line, history)) {
			out_str(STR("\nshell: stepping aside for a new version\n"));
			struct status freed = HEAP_FREE(history);
			return status_ok(freed) ? STATUS(E_AGAIN) : freed;
		}
		history_add(history, &line);
		dispatch(STR_FROM_ARRAY(line.text, line.len));
	}
}

/* The session's watchdog. A session waits between keys, and commands
 * that sleep or block wait too; one that keeps the processor for
 * WATCHDOG_TICKS on end is stuck: a runaway loop no fault ended (correct
 * code fed a corrupt value, say). It is killed, and a new session starts.
 * The price: a command that computes for 10 s straight is ended too. */
#define WATCH_PERIOD_TICKS 50 /* a session that steps aside for a swap is seen within this */
#define WATCHDOG_TICKS 10000

static const struct task_info *find_task(const struct task_list *list, task_id id)
{
	for (size_t i = 0; i < list->count && i < TASK_MAX; i++)
		if (list->tasks[i].id == id)
			return ARRAY_AT(list->tasks, i);
	return NULL;
}

/* Wait for the session to end, as task_join, ending it if it runs away. */
static struct status watch_session(task_id id, struct task_list *list, int64_t *code)
{
	uint64_t last = 0, busy = 0;
	for (;;) {
		task_sleep_ticks(WATCH_PERIOD_TICKS);
		task_list(list);
		const struct task_info *t = find_task(list, id);
		if (!t || t->state == TASK_EXITED)
			break;
		/* At least half of every period: another runnable task may take
		 * the rest. */
		busy = t->ticks - last >= WATCH_PERIOD_TICKS / 2 ? busy + WATCH_PERIOD_TICKS : 0;
		last = t->ticks;
		if (busy >= WATCHDOG_TICKS) {
			out_str(STR("\nshell: the console session ran 10 s without ever waiting (a runaway command?); "
				    "ending it\n"));
			if (!status_ok(task_kill(id)))
				out_str(STR("shell: the session could not be killed\n"));
			break;
		}
	}
	return task_join(id, code);
}

/* Sessions that end this fast one after another are not restarted
 * forever: the supervisor waits longer each time. */
#define QUICK_END_TICKS 100
#define BACKOFF_MAX_TICKS 2000

/* The entry (on the boot task): supervise the console session. (The
 * fault policy, recovery, is one of the shell's imports: it is loaded and
 * registered with the nano-core before this runs.) A session that ends in any way other
 * than stepping aside for a swap (it faulted, it was killed) is replaced
 * by a fresh one; a swap of the shell makes this return E_AGAIN too, so
 * that the nano-core starts the new version. */
/* Before the first prompt, let the tasks started at boot (the recovery
 * crate's low-priority scrubber, spawn= applications) run to their first
 * wait, so that their start-up lines come before the prompt and not into
 * the echo of the first command typed. At most SETTLE_TICKS: ticks are
 * the host's time under TCG, so a loaded host gives the guest less work
 * per tick; 200 was too few for the scrubber's load on a busy machine. A
 * boot application that never waits delays the first prompt by this. */
#define SETTLE_TICKS 1000

static void settle_boot_tasks(void)
{
	/* 4 KiB: too big for a frame (safe-C rule stack-frame). */
	struct task_list *list = NULL;
	if (!status_ok(HEAP_NEW(struct task_list, &list, task_current())))
		return; /* no settling: the first prompt may come early */
	for (int tick = 0; tick < SETTLE_TICKS; tick++) {
		task_list(list);
		bool busy = false;
		for (size_t i = 0; i < list->count && i < TASK_MAX; i++)
			busy |= list->tasks[i].state == TASK_READY && list->tasks[i].id != task_current() &&
				!str_eq(STR_FROM_CSTR_ARRAY(list->tasks[i].name), STR("idle"));
		if (!busy)
			break;
		task_sleep_ticks(1);
	}
	if (!status_ok(HEAP_FREE(list)))
		out_str(STR("shell: could not free the task list\n"));
}

/* A session that ended by a fault or a kill may have been reading a
 * line: its keys went with it, and the rest, still to come, would run in
 * the next session as a command of its own ("unload X" cut after "un"
 * would load X). The rest is dropped, up to its end of line, and said.
 * Only when the console says a line is open: a session that died before
 * it read a key of the line leaves the whole line to the next one. */
#define DROPPED_SHOWN 48

static void drop_rest_of_cut_line(void)
{
	if (!kernel_console_line_open())
		return;
	out_str(STR("shell: the session was reading a line: the rest of it, up to Enter, is dropped\n"));
	char shown[DROPPED_SHOWN];
	size_t n = 0, dropped = 0;
	char c = 0;
	for (;;) {
		if (!kernel_console_try_read_char(&c)) {
			task_sleep_ticks(1);
			continue;
		}
		if (c == '\r' || c == '\n')
			break;
		dropped++;
		if (n < DROPPED_SHOWN && c >= ' ' && c < 0x7f)
			*ARRAY_AT(shown, n++) = c;
	}
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("shell: dropped the rest of the cut line ("));
	fmt_u64(&line, dropped);
	fmt_str(&line, dropped == 1 ? STR(" key): \"") : STR(" keys): \""));
	fmt_str(&line, STR_FROM_ARRAY(shown, n));
	fmt_str(&line, n < dropped ? STR("...\"") : STR("\""));
	out_line(&line);
}

CRATE_EXPORT struct status shell_main(void)
{
	out_str(STR("Theseus shell. Type help for the commands.\n"));
	spawn_boot_apps();
	settle_boot_tasks();
	/* 4 KiB: too big for a frame (safe-C rule stack-frame); kept for the
	 * watchdog's whole life. */
	struct task_list *list = NULL;
	if (!status_ok(HEAP_NEW(struct task_list, &list, task_current()))) {
		out_str(STR("shell: no memory for the session's watchdog\n"));
		return STATUS(E_NOMEM);
	}
	uint64_t backoff = 0;
	for (;;) {
		uint64_t started = task_ticks();
		struct task_result session = task_spawn_app(STR("shell_session"), STR_EMPTY, 0);
		int64_t code = session.err;
		if (session.err != E_OK || !status_ok(watch_session(session.value, list, &code))) {
			out_str(STR("shell: cannot start a console session\n"));
			struct status freed = HEAP_FREE(list);
			return status_ok(freed) ? STATUS(E_NOENT) : freed;
		}
		if (code == -(int64_t)E_AGAIN || evolution_swap_pending()) {
			struct status freed = HEAP_FREE(list);
			return status_ok(freed) ? STATUS(E_AGAIN) : freed;
		}
		struct fmt_line line;
		fmt_clear(&line);
		fmt_str(&line, STR("shell: the console session ended ("));
		fmt_str(&line, code == TASK_KILLED ? STR("killed") : code == TASK_FAULTED ? STR("faulted") : STR("code "));
		if (code != TASK_KILLED && code != TASK_FAULTED)
			fmt_i64(&line, code);
		fmt_str(&line, STR("); starting a new one"));
		out_line(&line);
		drop_rest_of_cut_line();
		backoff = task_ticks() - started < QUICK_END_TICKS
				  ? (backoff ? (backoff * 2 < BACKOFF_MAX_TICKS ? backoff * 2 : BACKOFF_MAX_TICKS) : 10)
				  : 0;
		if (backoff)
			task_sleep_ticks(backoff);
	}
}
