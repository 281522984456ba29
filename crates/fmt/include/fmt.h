/* fmt: text formatting into a line buffer the caller owns.
 * The crate keeps no state: every call gets the whole line it works on
 * (the paper's client-held state). */
#ifndef CRATE_FMT_H
#define CRATE_FMT_H

#include <stdbool.h>
#include <stdint.h>
#include <theseus/slice.h>

#define FMT_LINE_MAX 160

struct fmt_line {
	char text[FMT_LINE_MAX];
	size_t len;
	bool truncated; /* something did not fit */
};

void fmt_clear(struct fmt_line *line);
void fmt_char(struct fmt_line *line, char c);
void fmt_str(struct fmt_line *line, struct str s);
void fmt_u64(struct fmt_line *line, uint64_t v);
void fmt_i64(struct fmt_line *line, int64_t v);
/* Lower-case hex with a 0x prefix, zero-padded to at least min_digits. */
void fmt_hex(struct fmt_line *line, uint64_t v, unsigned min_digits);
/* Right-align the text appended since `mark` in a field of `width`. */
void fmt_pad_left(struct fmt_line *line, size_t mark, size_t width);
struct str fmt_view(const struct fmt_line *line);

/* The reverse of fmt_u64: an unsigned decimal of 1 to max_digits digits
 * (at most 19, which always fits), nothing else. False leaves *out as it
 * was. */
bool fmt_parse_u64(struct str text, size_t max_digits, uint64_t *out);

#endif
