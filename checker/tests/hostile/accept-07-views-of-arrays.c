// Views of char arrays: STR_FROM_ARRAY and STR_FROM_CSTR_ARRAY.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/console.h>
static char name[16] = "theseus";
void show(void)
{
	kernel_console_write(STR_FROM_CSTR_ARRAY(name));
	kernel_console_write(STR_FROM_ARRAY(name, 3));
}
