// C23 bool, true, false, enums, constexpr.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <stdbool.h>
enum color { RED, GREEN };
constexpr int LIMIT = 4;
static int counts[LIMIT];
bool any(enum color c)
{
	bool found = false;
	for (int i = 0; i < LIMIT; i++)
		found = found || counts[i] == (int)c;
	return found ? true : false;
}
