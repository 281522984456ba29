// kbench calls with literal names.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/kbench.h>
KBENCH(hostile_noop, "hostile.noop")
{
	for (uint64_t i = 0; i < kbench_iterations(b); i++)
		kbench_sample(b, 1, 1);
	kbench_note(b, "items", 3);
	kbench_report(b, "hostile.noop");
}
