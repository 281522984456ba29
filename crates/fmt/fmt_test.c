/* In-kernel tests of the fmt crate: what each call appends, truncation at
 * the line's end, and parsing decimals back. */
#include <theseus/ktest.h>
#include "fmt.h"

static bool line_is(const struct fmt_line *line, struct str expected) { return str_eq(fmt_view(line), expected); }

KTEST(fmt_numbers, "fmt.numbers")
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_u64(&line, 0);
	fmt_char(&line, ' ');
	fmt_u64(&line, UINT64_MAX);
	fmt_char(&line, ' ');
	fmt_i64(&line, -42);
	fmt_char(&line, ' ');
	fmt_i64(&line, INT64_MIN);
	fmt_char(&line, ' ');
	fmt_hex(&line, 0xbeef, 8);
	fmt_char(&line, ' ');
	fmt_hex(&line, 0, 1);
	KT_EXPECT(t, line_is(&line, STR("0 18446744073709551615 -42 -9223372036854775808 0x0000beef 0x0")));
	KT_EXPECT(t, !line.truncated);
}

KTEST(fmt_pad_left_aligns_right, "fmt.pad_left_aligns_right")
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("n="));
	size_t mark = line.len;
	fmt_u64(&line, 42);
	fmt_pad_left(&line, mark, 5);
	KT_EXPECT(t, line_is(&line, STR("n=   42")));
	fmt_pad_left(&line, mark, 2); /* already wider: unchanged */
	KT_EXPECT(t, line_is(&line, STR("n=   42")));
	fmt_pad_left(&line, line.len + 1, 9); /* a mark past the end: ignored */
	KT_EXPECT(t, line_is(&line, STR("n=   42")));
}

KTEST(fmt_full_line_is_truncated_not_overrun, "fmt.full_line_is_truncated_not_overrun")
{
	struct fmt_line line;
	fmt_clear(&line);
	for (int i = 0; i < FMT_LINE_MAX + 10; i++)
		fmt_char(&line, 'x');
	KT_EXPECT(t, line.len == FMT_LINE_MAX && line.truncated);
	size_t mark = 0;
	fmt_pad_left(&line, mark, FMT_LINE_MAX + 1); /* no room to pad */
	KT_EXPECT(t, line.len == FMT_LINE_MAX);
	fmt_clear(&line);
	KT_EXPECT(t, line.len == 0 && !line.truncated);
}

KTEST(fmt_parse_u64_takes_digits_only, "fmt.parse_u64_takes_digits_only")
{
	uint64_t v = 7;
	KT_EXPECT(t, fmt_parse_u64(STR("0"), 5, &v) && v == 0);
	KT_EXPECT(t, fmt_parse_u64(STR("12345"), 5, &v) && v == 12345);
	KT_EXPECT(t, fmt_parse_u64(STR("9999999999999999999"), 19, &v) && v == 9999999999999999999ull);
	v = 7;
	KT_EXPECT(t, !fmt_parse_u64(STR(""), 5, &v) && v == 7);
	KT_EXPECT(t, !fmt_parse_u64(STR("123456"), 5, &v) && v == 7); /* more than max_digits */
	KT_EXPECT(t, !fmt_parse_u64(STR("12a"), 5, &v) && v == 7);
	KT_EXPECT(t, !fmt_parse_u64(STR("-1"), 5, &v) && v == 7);
	KT_EXPECT(t, !fmt_parse_u64(STR(" 1"), 5, &v) && v == 7);
	KT_EXPECT(t, !fmt_parse_u64(STR("10000000000000000000"), 20, &v) && v == 7); /* 20 digits never */
}
