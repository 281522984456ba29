/* In-kernel tests of the shell's command-line parsing. */
#include <theseus/ktest.h>
#include "shell_internal.h"

KTEST(shell_words_of_a_command_line, "shell.words_of_a_command_line")
{
	struct str line = STR("  swap   hello\thello_v2  ");
	KT_EXPECT(t, str_eq(word_at(line, 0), STR("swap")));
	KT_EXPECT(t, str_eq(word_at(line, 1), STR("hello")));
	KT_EXPECT(t, str_eq(word_at(line, 2), STR("hello_v2")));
	KT_EXPECT(t, word_at(line, 3).len == 0);
	KT_EXPECT(t, word_at(STR(""), 0).len == 0);
	KT_EXPECT(t, str_eq(rest_after(STR("run hello a  b"), 1), STR("a  b")));
	KT_EXPECT(t, rest_after(STR("run hello"), 1).len == 0);
	KT_EXPECT(t, str_eq(rest_after(STR("echo  spaced out "), 0), STR("spaced out ")));
}

KTEST(shell_history_keeps_the_newest, "shell.history_keeps_the_newest")
{
	struct shell_history h = {};
	struct shell_line empty = {}, line = {};
	history_add(&h, &empty); /* empty lines are not kept */
	KT_EXPECT(t, h.count == 0);
	for (size_t i = 0; i < SHELL_HISTORY + 3; i++) {
		line.text[0] = (char)('a' + i);
		line.len = 1;
		history_add(&h, &line);
	}
	KT_EXPECT(t, h.count == SHELL_HISTORY + 3);
	/* The newest line sits at (count - 1) % SHELL_HISTORY. */
	KT_EXPECT(t, h.lines[(h.count - 1) % SHELL_HISTORY].text[0] == (char)('a' + SHELL_HISTORY + 2));
}
