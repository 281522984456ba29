/* Writes numbered lines, one write each, 100 M TSC cycles apart (a spin
 * without system calls, so the server is quiescent between lines): "count_lines:
 * line I of N (NAME)" where NAME is uname's version field, i.e. which
 * system call server answered. A live swap of the server while it runs
 * must lose and repeat no line, and the version must change. Argument:
 * N (default 40) lines; or "swap": go on until 5 lines after the version
 * changed, at most 600 lines (exit 1 if it never changed). */
#include "sys.h"

static inline u64 tsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

static u64 put(char *buf, u64 at, const char *s)
{
	while (*s)
		buf[at++] = *s++;
	return at;
}

static u64 put_num(char *buf, u64 at, u64 v)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		buf[at++] = digits[--n];
	return at;
}

int main_args(u64 argc, char **argv)
{
	u64 lines = 40, after_change = 0;
	int until_swap = argc > 1 && argv[1][0] == 's';
	char first[65] = {0};
	if (until_swap) {
		lines = 600;
	} else if (argc > 1) {
		lines = 0;
		for (char *p = argv[1]; *p >= '0' && *p <= '9'; p++)
			lines = lines * 10 + (u64)(*p - '0');
	}
	static char uts[6 * 65];
	for (u64 i = 1; i <= lines; i++) {
		if (sys3(63, (u64)uts, 0, 0) != 0)
			return 2;
		char line[200];
		u64 n = put(line, 0, "count_lines: line ");
		n = put_num(line, n, i);
		if (!until_swap) {
			n = put(line, n, " of ");
			n = put_num(line, n, lines);
		}
		n = put(line, n, " (");
		n = put(line, n, uts + 3 * 65);
		n = put(line, n, ")\n");
		if (sys3(1, 1, (u64)line, n) != (i64)n)
			return 3;
		if (until_swap) {
			const char *v = uts + 3 * 65;
			int same = 1;
			for (int k = 0; k < 65; k++) {
				if (i == 1)
					first[k] = v[k];
				same &= first[k] == v[k];
			}
			if (!same && ++after_change == 5)
				return 0;
		}
		u64 until = tsc() + 100000000;
		while (tsc() < until)
			;
	}
	return until_swap ? 1 : 0;
}
