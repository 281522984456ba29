#include <theseus/console.h>
#include <theseus/crate.h>
#include <theseus/result.h>
#include "log.h"
#include "log_format.h"

CRATE("log", "1.0.0", "leveled console messages tagged with their origin", "log_init", "", "fmt");

static struct str level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG: return STR("debug");
	case LOG_INFO: return STR("info");
	case LOG_WARN: return STR("warning");
	case LOG_ERROR: return STR("error");
	}
	return STR("?");
}

void log_format(struct fmt_line *out, enum log_level level, struct str origin, struct str message)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_char(&line, '[');
	fmt_str(&line, origin);
	fmt_str(&line, STR("] "));
	fmt_str(&line, level_name(level));
	fmt_str(&line, STR(": "));
	fmt_str(&line, message);
	fmt_char(&line, '\n');
	if (line.truncated) {
		/* Keep the line whole: mark the cut and end it. */
		line.len = FMT_LINE_MAX - 4;
		fmt_str(&line, STR("...\n"));
	}
	*out = line;
}

CRATE_EXPORT void log_write(enum log_level level, struct str origin, struct str message)
{
	struct fmt_line line;
	log_format(&line, level, origin, message);
	/* A message starts a line of its own, not the tail of a prompt or of
	 * a half-typed command (the line editor draws that again below). */
	kernel_console_write_line(fmt_view(&line));
}

CRATE_EXPORT void log_line(enum log_level level, struct str origin, const struct fmt_line *line)
{
	log_write(level, origin, fmt_view(line));
}

/* Named in the CRATE record: the runtime linker calls it once, after
 * linking, before any other crate can use this one. */
struct status log_init(void);
struct status log_init(void)
{
	log_write(LOG_INFO, STR("log"), STR("ready"));
	return STATUS_OK;
}
