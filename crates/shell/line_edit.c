/* Reading a command line: echo, backspace, and history with the up and
 * down arrow keys (ESC [ A / ESC [ B). */
#include <theseus/crates.h>
#include <theseus/console.h>
#include "evolution.h"
#include "shell_internal.h"
#include "task.h"

/* The line being edited, with its prompt, and the console's byte count
 * after the editor's own last write: a count that moved since means
 * another task's output (a boot task's load line, a spawned task's
 * greeting) landed in the line, which is then drawn again below it. */
struct editor {
	struct str prompt;
	struct shell_line *line;
	uint64_t console_at;
};

static void say(struct editor *e, struct str text)
{
	uint64_t before = kernel_console_written();
	kernel_console_write(text);
	uint64_t after = kernel_console_written();
	/* Only ours if nothing came before it, nor with it. */
	e->console_at = before == e->console_at && after - before == text.len ? after : UINT64_MAX;
}

static void redraw_if_interrupted(struct editor *e)
{
	if (kernel_console_written() == e->console_at)
		return;
	e->console_at = kernel_console_written();
	say(e, STR("\n"));
	say(e, e->prompt);
	say(e, STR_FROM_ARRAY(e->line->text, e->line->len));
}

static void echo_char(struct editor *e, char c)
{
	char one[1] = {c};
	say(e, STR_FROM_ARRAY(one, 1));
}

static void erase_chars(struct editor *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		say(e, STR("\b \b"));
}

static void replace_line(struct editor *e, const struct shell_line *with)
{
	erase_chars(e, e->line->len);
	*e->line = *with;
	say(e, STR_FROM_ARRAY(e->line->text, e->line->len));
}

void history_add(struct shell_history *history, const struct shell_line *line)
{
	if (line->len == 0)
		return;
	*ARRAY_AT(history->lines, history->count % SHELL_HISTORY) = *line;
	history->count++;
}

/* The next key, or false when a swap of this crate waits for the shell
 * to step aside. Sleeps a tick while no key is waiting, so other tasks
 * get the CPU. */
static bool next_key(char *c)
{
	while (!kernel_console_try_read_char(c)) {
		if (evolution_swap_pending())
			return false;
		task_sleep_ticks(1);
	}
	return true;
}

/* The rest of an escape sequence: it follows at once, no swap check. */
static char escape_key(void)
{
	char c = 0;
	while (!kernel_console_try_read_char(&c))
		task_sleep_ticks(1);
	return c;
}

bool shell_read_line(struct str prompt, struct shell_line *line, struct shell_history *history)
{
	struct shell_line draft; /* what was being typed before browsing history */
	size_t back = 0;         /* 0: the draft; k: the k-th most recent line */
	line->len = 0;
	draft.len = 0;
	struct editor e = {prompt, line, kernel_console_written()};
	say(&e, prompt);
	for (;;) {
		char c = 0;
		if (!next_key(&c))
			return false;
		redraw_if_interrupted(&e);
		if (c == '\r' || c == '\n') {
			say(&e, STR("\n"));
			return true;
		}
		if (c == 0x7f || c == 0x08) {
			if (line->len) {
				line->len--;
				erase_chars(&e, 1);
			}
			continue;
		}
		if (c == 0x1b) {
			if (escape_key() != '[')
				continue;
			char key = escape_key();
			size_t stored = history->count < SHELL_HISTORY ? history->count : SHELL_HISTORY;
			if (key == 'A' && back < stored) {
				if (back == 0)
					draft = *line;
				back++;
				replace_line(&e, ARRAY_AT(history->lines, (history->count - back) % SHELL_HISTORY));
			} else if (key == 'B' && back > 0) {
				back--;
				replace_line(&e, back ? ARRAY_AT(history->lines, (history->count - back) % SHELL_HISTORY)
						      : &draft);
			}
			continue; /* other escape sequences are ignored */
		}
		if ((unsigned char)c < 0x20 || line->len >= SHELL_LINE_MAX)
			continue;
		line->text[line->len] = c;
		line->len++;
		echo_char(&e, c);
	}
}
