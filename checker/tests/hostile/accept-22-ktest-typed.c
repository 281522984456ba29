// A test with typed message arguments.
// RUN: %safec -fplugin-arg-safec-crate=good -c %s -o %t.o 2>&1 | %count 0
// RUN: test -s %t.o
#include <theseus/ktest.h>
static char seen[8] = "abc";
KTEST(typed_messages, "hostile.typed_messages")
{
	int n = 3;
	KT_EXPECT(t, n == 3);
	KT_EXPECT_MSG(t, n > 0, "n is %d, seen %s", n, STR_FROM_CSTR_ARRAY(seen));
}
