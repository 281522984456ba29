/* kprintf: formatted text to the serial console. */
#include "kernel.h"

void kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	serial_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}
