/* log: leveled messages on the console, tagged with the crate that wrote them. */
#ifndef CRATE_LOG_H
#define CRATE_LOG_H

#include <theseus/slice.h>
#include "fmt.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* "[origin] level: message\n" */
void log_write(enum log_level level, struct str origin, struct str message);
void log_line(enum log_level level, struct str origin, const struct fmt_line *line);

#endif
