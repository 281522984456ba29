/* Shared between the shell's files; not part of its public interface. */
#ifndef SHELL_INTERNAL_H
#define SHELL_INTERNAL_H

#include <stdbool.h>
#include <theseus/slice.h>
#include "fmt.h"

#define SHELL_LINE_MAX 128
#define SHELL_HISTORY 16

struct shell_line {
	char text[SHELL_LINE_MAX];
	size_t len;
};

/* The session's state lives in shell_main's frame and is passed to
 * every function that needs it: the crate keeps no static state. */
struct shell_history {
	struct shell_line lines[SHELL_HISTORY];
	size_t count; /* lines ever entered */
};

/* Print the prompt and read a line with editing and history; false when
 * a swap of the shell is waiting for it to step aside (the line typed so
 * far is dropped). The prompt and the echo of keys typed ahead go out in
 * one console write, which no other task's output can cut. */
bool shell_read_line(struct str prompt, struct shell_line *line, struct shell_history *history);
void history_add(struct shell_history *history, const struct shell_line *line);

/* Output helpers. */
void out_str(struct str s);
void out_line(const struct fmt_line *line);

/* Words of a command line: word(i) of the text, STR_EMPTY past the end. */
struct str word_at(struct str text, size_t index);
/* Everything after word `index` (leading spaces skipped). */
struct str rest_after(struct str text, size_t index);

/* "WHAT NAME: reason" for a failed crate request (cmd_crates.c). */
struct crate_error;
void say_crate_error(struct str what, struct str name, const struct crate_error *why);

/* Crate commands (cmd_crates.c). */
void cmd_crates(struct str args);
void cmd_deps(struct str args);
void cmd_syms(struct str args);
void cmd_sections(struct str args);
void cmd_load(struct str args);
void cmd_unload(struct str args);
void cmd_run(struct str args);
void cmd_swap(struct str args);
void cmd_history(struct str args);
void cmd_evolve(struct str args);

/* Restart and fault injection (cmd_faults.c). */
void cmd_restart(struct str args);
void cmd_inject(struct str args);
void cmd_recover(struct str args);

/* Task, time and memory commands (cmd_tasks.c). */
void cmd_tasks(struct str args);
void cmd_spawn(struct str args);
/* Is a task of this name running (not ended)? */
bool task_named_alive(struct str name);
void cmd_kill(struct str args);
void cmd_uptime(struct str args);
void cmd_sleep(struct str args);
void cmd_mem(struct str args);

#endif
