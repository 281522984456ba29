/* A static-pie program (ET_DYN, no interpreter): loaded at the kernel's
 * PIE base; its code reaches its data PC-relative, so it needs no
 * relocation of its own. Prints where it runs and exits 0. */
#include "sys.h"

static const char text[] = "pie_hello: static-pie runs at 0x";

int main(void)
{
	char hex[17];
	u64 at = (u64)&main;
	for (int i = 15; i >= 0; i--, at >>= 4)
		hex[i] = "0123456789abcdef"[at & 15];
	hex[16] = 0;
	say(text);
	say(hex);
	say("\n");
	exit_with(0);
}
