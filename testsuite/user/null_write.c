/* Writes through a NULL pointer: must end with SIGSEGV, alone. */
#include "sys.h"

int main(void)
{
	say("null_write: writing through NULL\n");
	*(volatile int *)0 = 42;
	say("null_write: still running (wrong)\n");
	exit_with(0);
}
