// STR of literals, also through a macro of the crate.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/console.h>
#define GREETING "hello, " "world\n"
void greet(void)
{
	kernel_console_write(STR(GREETING));
	kernel_console_write(STR("done\n"));
	kernel_console_write(STR_EMPTY);
}
