/* Recurses until the stack runs out: must end with SIGSEGV, alone. */
#include "sys.h"

static volatile u64 depth;

__attribute__((noinline)) static u64 recurse(u64 n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	depth = n;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	say("stack_overflow: recursing\n");
	recurse(0);
	exit_with(0);
}
