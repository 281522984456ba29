#include <theseus/crate.h>
#include "hello.h"
#include "log.h"

CRATE("hello", "1.0.0", "the example application", "", "", "fmt,log");

CRATE_EXPORT struct status hello_main(struct str args)
{
	struct fmt_line line;
	fmt_clear(&line);
	fmt_str(&line, STR("Hello from hello 1.0.0"));
	if (args.len) {
		fmt_str(&line, STR(", args: "));
		fmt_str(&line, args);
	}
	log_line(LOG_INFO, STR("hello"), &line);
	return STATUS_OK;
}
