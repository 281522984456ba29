#include "records.h"
#include "cmdline.h"

#define EXPECT_FMT(want, ...)                                                   \
	do {                                                                    \
		char b[64];                                                     \
		ksnprintf(b, sizeof b, __VA_ARGS__);                            \
		KT_EXPECT_MSG(t, !strcmp(b, want), "got \"%s\", want \"%s\"", b, want); \
	} while (0)

KTEST(kprintf_format, "kprintf.format")
{
	EXPECT_FMT("42 -7 0", "%d %d %u", 42, -7, 0u);
	EXPECT_FMT("ff FF 00ff", "%x %X %04x", 255u, 255u, 255u);
	EXPECT_FMT("18446744073709551615", "%lu", ~0ul);
	EXPECT_FMT("-9223372036854775808", "%ld", (long)(1ul << 63));
	EXPECT_FMT("[ab   ][   ab]", "[%-5s][%5s]", "ab", "ab");
	EXPECT_FMT("0x00000000000000ff", "%p", (void *)0xff);
	EXPECT_FMT("100%", "100%%");
	char small[4];
	int n = ksnprintf(small, sizeof small, "%s", "truncated");
	KT_EXPECT(t, n == 9 && !strcmp(small, "tru"));
}

KTEST(cmdline_parse, "cmdline.parse")
{
	char v[16];
	const char *cl = "test=all expect_mem_mb=256 quiet x=";
	KT_EXPECT(t, cmdline_get(cl, "test", v, sizeof v) && !strcmp(v, "all"));
	KT_EXPECT(t, cmdline_get(cl, "expect_mem_mb", v, sizeof v) && !strcmp(v, "256"));
	KT_EXPECT(t, cmdline_get(cl, "quiet", v, sizeof v) && !strcmp(v, ""));
	KT_EXPECT(t, cmdline_get(cl, "x", v, sizeof v) && !strcmp(v, ""));
	KT_EXPECT(t, !cmdline_get(cl, "tes", v, sizeof v));
	KT_EXPECT(t, !cmdline_get(cl, "expect", v, sizeof v));
	KT_EXPECT(t, cmdline_get("a=0123456789abcdefXYZ", "a", v, sizeof v) && strlen(v) == 15);
}
