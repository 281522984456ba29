/* Crate "alpha": public and hidden functions, mutable and constant state. */
#include <theseus/crate.h>
CRATE("alpha", "1.0.0", "test crate", "", "", "");

static unsigned long counter;           /* .bss, 8 bytes */
int table[4] = {1, 2, 3, 4};            /* .data, 16 bytes */
const int constants[4] = {5, 6, 7, 8};  /* read-only: not state */

CRATE_EXPORT int alpha_public(int x) { return x + table[x & 3] + constants[0]; }
int alpha_hidden(int x) { return 2 * x; }
CRATE_EXPORT unsigned long alpha_bump(void)
{
	static int calls;                   /* .bss, 4 bytes */
	calls++;
	return ++counter + (unsigned long)calls;
}
