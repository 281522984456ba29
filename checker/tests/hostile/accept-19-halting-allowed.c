// A crate named for a halting operation may use it.
// RUN: %safec -fplugin-arg-safec-crate=haltok -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/cpu.h>
static int shared;
void touch(void)
{
	bool on = cpu_irq_save();
	shared++;
	cpu_irq_restore(on);
}
