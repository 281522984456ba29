/* In-kernel tests of the log crate's lines. */
#include <theseus/ktest.h>
#include "log_format.h"

KTEST(log_line_layout, "log.line_layout")
{
	struct fmt_line line;
	log_format(&line, LOG_WARN, STR("disk"), STR("slow"));
	KT_EXPECT(t, str_eq(fmt_view(&line), STR("[disk] warning: slow\n")));
	log_format(&line, LOG_DEBUG, STR(""), STR(""));
	KT_EXPECT(t, str_eq(fmt_view(&line), STR("[] debug: \n")));
	log_format(&line, (enum log_level)99, STR("x"), STR("y"));
	KT_EXPECT(t, str_eq(fmt_view(&line), STR("[x] ?: y\n")));
}

KTEST(log_overlong_line_ends_whole, "log.overlong_line_ends_whole")
{
	char long_text[FMT_LINE_MAX * 2];
	for (size_t i = 0; i < sizeof long_text; i++)
		long_text[i] = 'z';
	struct fmt_line line;
	log_format(&line, LOG_INFO, STR("o"), STR_FROM_ARRAY(long_text, sizeof long_text));
	struct str s = fmt_view(&line);
	KT_EXPECT(t, s.len == FMT_LINE_MAX);
	KT_EXPECT(t, str_eq(str_sub(s, s.len - 4, 4), STR("...\n")));
	KT_EXPECT(t, str_eq(str_sub(s, 0, 12), STR("[o] info: zz")));
}
