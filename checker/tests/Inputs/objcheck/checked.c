/* A crate source that passes the safe-C checker: the stamp tests build it
 * with the plugin (its record of the verdict and signatures included). */
#include <theseus/crate.h>
#include <theseus/console.h>

CRATE("checked", "1.0.0", "passes the checker", "", "", "");

static int calls;

CRATE_EXPORT int checked_greet(void)
{
	kernel_console_write(STR("hello\n"));
	return ++calls;
}
