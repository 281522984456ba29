#include <theseus/crate.h>
#include "hello_v2.h"
#include "log.h"

CRATE("hello_v2", "2.0.0", "the example application, version 2", "", "hello", "fmt,log");

/* Same interface as hello, changed behaviour: counts its arguments. */
CRATE_EXPORT struct status hello_main(struct str args)
{
	struct fmt_line line;
	size_t words = 0;
	for (size_t i = 0; i < args.len; i++)
		if (str_at(args, i) != ' ' && (i == 0 || str_at(args, i - 1) == ' '))
			words++;
	fmt_clear(&line);
	fmt_str(&line, STR("Hello from hello 2.0.0 with "));
	fmt_u64(&line, words);
	if (words == 1)
		fmt_str(&line, STR(" argument"));
	else
		fmt_str(&line, STR(" arguments"));
	log_line(LOG_INFO, STR("hello"), &line);
	return STATUS_OK;
}
