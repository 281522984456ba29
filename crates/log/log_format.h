/* The log crate's line layout, apart from writing it out (log.c), so that
 * its tests (log_test.c) can look at it. Not exported. */
#ifndef LOG_FORMAT_H
#define LOG_FORMAT_H

#include "log.h"

/* "[origin] level: message\n"; a line too long for one fmt_line ends in
 * "...\n" instead of being cut mid-way without a newline. */
void log_format(struct fmt_line *out, enum log_level level, struct str origin, struct str message);

#endif
