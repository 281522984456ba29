#include <theseus/crate.h>
#include "fmt.h"

CRATE("fmt", "1.0.0", "text formatting into caller-owned line buffers", "", "", "");

CRATE_EXPORT void fmt_clear(struct fmt_line *line)
{
	line->len = 0;
	line->truncated = false;
}

CRATE_EXPORT void fmt_char(struct fmt_line *line, char c)
{
	if (line->len >= FMT_LINE_MAX) {
		line->truncated = true;
		return;
	}
	line->text[line->len] = c;
	line->len++;
}

CRATE_EXPORT void fmt_str(struct fmt_line *line, struct str s)
{
	for (size_t i = 0; i < s.len; i++)
		fmt_char(line, str_at(s, i));
}

static void put_digits(struct fmt_line *line, uint64_t v, unsigned base, unsigned min_digits)
{
	static const char digits[16] = {'0', '1', '2', '3', '4', '5', '6', '7',
					'8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
	char tmp[64];
	unsigned n = 0;
	do {
		tmp[n] = digits[v % base];
		n++;
		v /= base;
	} while (v && n < 64);
	while (n < min_digits && n < 64) {
		tmp[n] = '0';
		n++;
	}
	while (n) {
		n--;
		fmt_char(line, tmp[n]);
	}
}

CRATE_EXPORT void fmt_u64(struct fmt_line *line, uint64_t v)
{
	put_digits(line, v, 10, 1);
}

CRATE_EXPORT void fmt_i64(struct fmt_line *line, int64_t v)
{
	if (v < 0) {
		fmt_char(line, '-');
		put_digits(line, 0 - (uint64_t)v, 10, 1);
	} else {
		put_digits(line, (uint64_t)v, 10, 1);
	}
}

CRATE_EXPORT void fmt_hex(struct fmt_line *line, uint64_t v, unsigned min_digits)
{
	fmt_str(line, STR("0x"));
	put_digits(line, v, 16, min_digits);
}

CRATE_EXPORT void fmt_pad_left(struct fmt_line *line, size_t mark, size_t width)
{
	if (mark > line->len)
		return;
	size_t used = line->len - mark;
	if (used >= width)
		return;
	size_t pad = width - used;
	if (line->len + pad > FMT_LINE_MAX) {
		line->truncated = true;
		return;
	}
	for (size_t i = line->len; i > mark; i--)
		line->text[i - 1 + pad] = line->text[i - 1];
	for (size_t i = 0; i < pad; i++)
		line->text[mark + i] = ' ';
	line->len += pad;
}

CRATE_EXPORT struct str fmt_view(const struct fmt_line *line)
{
	return STR_FROM_ARRAY(line->text, line->len);
}

CRATE_EXPORT bool fmt_parse_u64(struct str text, size_t max_digits, uint64_t *out)
{
	if (text.len == 0 || text.len > max_digits || text.len > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < text.len; i++) {
		char c = str_at(text, i);
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (uint64_t)(c - '0');
	}
	*out = v;
	return true;
}
