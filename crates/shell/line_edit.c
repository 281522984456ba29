/* Reading a command line: echo, backspace, and history with the up and
 * down arrow keys (ESC [ A / ESC [ B). */
#include <theseus/crates.h>
#include <theseus/console.h>
#include "evolution.h"
#include "shell_internal.h"
#include "task.h"

/* What the editor prints, gathered and written at once: the prompt with
 * the echo of every key already waiting (a line typed ahead, or pasted),
 * so that another task's output (a boot task's load line, a spawned
 * task's greeting) cannot land inside it. It goes out before the editor
 * waits for a key, and at the end of the line. */
#define ECHO_MAX 512

struct editor {
	struct shell_line *line;
	struct str prompt;
	char out[ECHO_MAX];
	size_t len;
	bool shown;       /* the prompt has gone out */
	bool stale;       /* another writer came between the editor's writes */
	uint64_t written; /* the console's count after the editor's last write */
};

/* The console's count before and after the write tells whether another
 * writer came since the editor's last write or around this one: then
 * the line is marked stale, and the next check draws it again. */
static void write_out(struct editor *e)
{
	uint64_t before = kernel_console_mark().written;
	kernel_console_write(STR_FROM_ARRAY(e->out, e->len));
	uint64_t after = kernel_console_mark().written;
	e->stale |= (e->shown && before != e->written) || after != before + e->len;
	e->written = after;
	e->shown = true;
	e->len = 0;
}

static bool written_over(const struct editor *e)
{
	return e->shown && (e->stale || kernel_console_mark().written != e->written);
}

static void redraw_if_written_over(struct editor *e);

static void flush(struct editor *e)
{
	if (written_over(e))
		redraw_if_written_over(e); /* writes the line whole, this included */
	else if (e->len)
		write_out(e);
}

static void say(struct editor *e, struct str text)
{
	if (text.len > ECHO_MAX - e->len)
		write_out(e); /* mid-edit: a redraw waits for the next key */
	if (text.len > ECHO_MAX) {
		kernel_console_write(text);
		return;
	}
	for (size_t i = 0; i < text.len; i++)
		*ARRAY_AT(e->out, e->len + i) = str_at(text, i);
	e->len += text.len;
}

/* Another task wrote since the editor last did (a boot task's load line,
 * a spawned task's greeting, a log line): the line being typed is cut or
 * scrolled away, so it is drawn again, whole, below what came. Keys
 * typed ahead arrive one by one (the UART holds one byte at a time), and
 * the editor sleeps a tick between them, so this window is real. */
static void redraw_if_written_over(struct editor *e)
{
	if (!written_over(e))
		return;
	e->len = 0; /* what was still to print is in the line drawn below */
	e->shown = false; /* this write starts the count afresh */
	e->stale = false;
	if (!kernel_console_mark().line_start)
		say(e, STR("\n"));
	say(e, e->prompt);
	say(e, STR_FROM_ARRAY(e->line->text, e->line->len));
	write_out(e);
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
 * to step aside - only between lines, so that no line is cut in two (the
 * keys read would go with this session, the rest to the next one as a
 * command of its own), and before the prompt goes out. What the editor
 * has to print goes out first when no key is waiting; then it sleeps a
 * tick at a time, so other tasks get the CPU. */
static bool next_key(struct editor *e, char *c)
{
	for (;;) {
		if (e->line->len == 0 && evolution_swap_pending())
			return false;
		if (kernel_console_try_read_char(c))
			return true;
		redraw_if_written_over(e);
		flush(e);
		task_sleep_ticks(1);
	}
}

/* The rest of an escape sequence: it follows at once, no swap check. */
static char escape_key(struct editor *e)
{
	char c = 0;
	while (!kernel_console_try_read_char(&c)) {
		redraw_if_written_over(e);
		flush(e);
		task_sleep_ticks(1);
	}
	return c;
}

/* A line longer than the shell holds is not run cut short (a command
 * with its last argument clipped could do something else than asked):
 * it is said so and comes back empty. */
static void refuse_overlong(struct shell_line *line, size_t over)
{
	struct fmt_line text;
	fmt_clear(&text);
	fmt_str(&text, STR("shell: the line is too long ("));
	fmt_u64(&text, SHELL_LINE_MAX + over);
	fmt_str(&text, STR(" characters, at most "));
	fmt_u64(&text, SHELL_LINE_MAX);
	fmt_str(&text, STR("): not run\n"));
	kernel_console_write(fmt_view(&text));
	line->len = 0;
}

bool shell_read_line(struct str prompt, struct shell_line *line, struct shell_history *history)
{
	struct shell_line draft; /* what was being typed before browsing history */
	size_t back = 0;         /* 0: the draft; k: the k-th most recent line */
	size_t over = 0;         /* keys typed past SHELL_LINE_MAX */
	line->len = 0;
	draft.len = 0;
	struct editor e;
	e.line = line;
	e.prompt = prompt;
	e.len = 0;
	e.shown = false;
	e.stale = false;
	e.written = 0;
	say(&e, prompt);
	for (;;) {
		char c = 0;
		if (!next_key(&e, &c))
			return false;
		redraw_if_written_over(&e);
		if (c == '\r' || c == '\n') {
			say(&e, STR("\n"));
			flush(&e);
			if (over)
				refuse_overlong(line, over);
			return true;
		}
		if (c == 0x7f || c == 0x08) {
			if (over) {
				over--;
			} else if (line->len) {
				line->len--;
				erase_chars(&e, 1);
			}
			continue;
		}
		if (c == 0x1b) {
			if (escape_key(&e) != '[')
				continue;
			char key = escape_key(&e);
			size_t stored = history->count < SHELL_HISTORY ? history->count : SHELL_HISTORY;
			if (key == 'A' && back < stored) {
				if (back == 0)
					draft = *line;
				back++;
				over = 0;
				replace_line(&e, ARRAY_AT(history->lines, (history->count - back) % SHELL_HISTORY));
			} else if (key == 'B' && back > 0) {
				back--;
				over = 0;
				replace_line(&e, back ? ARRAY_AT(history->lines, (history->count - back) % SHELL_HISTORY)
						      : &draft);
			}
			continue; /* other escape sequences are ignored */
		}
		if ((unsigned char)c < 0x20)
			continue;
		if (line->len >= SHELL_LINE_MAX) {
			over++; /* not echoed: the line shows where it was cut */
			continue;
		}
		line->text[line->len] = c;
		line->len++;
		echo_char(&e, c);
	}
}
