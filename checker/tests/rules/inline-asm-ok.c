// Near misses: port I/O through the trusted header's inline asm; names that
// merely mention asm.
// RUN: %safec -fplugin-arg-safec-crate=t -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <hw/port.h>

static int asm_like_counter;

void serial_putc(unsigned char c)
{
	while ((port_in8(0x3fd) & 0x20) == 0)
		asm_like_counter++;
	port_out8(0x3f8, c);
}

const char *describe(void)
{
	return "asm volatile(\"cli\")";
}
